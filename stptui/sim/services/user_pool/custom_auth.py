"""The custom authentication flow (InitiateAuth CUSTOM_AUTH, RespondToAuthChallenge
CUSTOM_CHALLENGE): defineAuthChallenge decides each round on the session so far,
createAuthChallenge makes each challenge, verifyAuthChallengeResponse judges each answer. A
challenge waits 3 minutes; a failed round ends the session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim import cognito
from stptui.sim import trace as tk
from stptui.sim.cognito import CognitoError, User
from stptui.sim.services.user_pool.hooks import Flow, HookFailed
from stptui.sim.services.user_pool.pool import Answer, Pool
from stptui.textsafe import typed_words

if TYPE_CHECKING:
    from stptui.sim.services.user_pool import UserPoolService as _Service
else:
    _Service = object


class CustomAuth(_Service):
    """Custom challenges: started, answered, decided."""

    def custom_auth(self, pool_name: str, username: str, *, detached: bool = False) -> Answer:
        """InitiateAuth (CUSTOM_AUTH): PreAuthentication_Authentication, then
        DefineAuthChallenge_Authentication with an empty session, which issues tokens, fails
        the sign-in, or asks for CUSTOM_CHALLENGE (CreateAuthChallenge_Authentication makes
        it; answer_challenge answers it)."""
        pool = self.pool(pool_name)
        if "defineAuthChallenge" not in pool.hooks:
            raise CognitoError(
                "InvalidParameterException",
                "Custom auth lambda trigger is not configured for the user pool.",
                "set the pool's hooks.defineAuthChallenge (with createAuthChallenge and "
                "verifyAuthChallengeResponse), or sign in with the password flow",
            )
        user = self.user(pool, username)
        if user.status == "FORCE_CHANGE_PASSWORD":
            raise CognitoError(
                "NotAuthorizedException",
                "the custom authentication flow of a FORCE_CHANGE_PASSWORD user is not simulated",
                "set its password first: "
                f"sign-in {typed_words(pool.name, username)} --new-password P",
            )
        self._room()
        answer = Answer(user, [])

        def flow() -> Flow:
            yield from self._pre_authentication(pool, user, answer)
            self._status_allows_sign_in(pool, user)
            yield from self._define(pool, user, [], answer)

        self._drive(
            self._guarded(flow(), pool, "InitiateAuth", username, answer, forget_challenge=True),
            detached,
        )
        return answer

    def answer_challenge(
        self, pool_name: str, username: str, text: str, *, detached: bool = False
    ) -> Answer:
        """RespondToAuthChallenge (CUSTOM_CHALLENGE): VerifyAuthChallengeResponse_Authentication
        judges `text`, then DefineAuthChallenge_Authentication, its session one round
        longer, decides again."""
        pool = self.pool(pool_name)
        user = self.user(pool, username)
        challenge = user.challenge
        if challenge is None:
            raise CognitoError(
                "NotAuthorizedException",
                "Invalid session for the user.",
                f"no challenge is waiting: sign-in {typed_words(pool.name, username)} --custom",
            )
        if self.now >= challenge.expires_ms:
            raise CognitoError(
                "NotAuthorizedException",
                "Invalid session for the user, session is expired.",
                f"a challenge waits 3 minutes: sign-in {typed_words(pool.name, username)} --custom",
            )
        self._room()
        answer = Answer(user, [])
        user.challenge = None

        def flow() -> Flow:
            request = {
                "userAttributes": user.event_attributes(),
                "privateChallengeParameters": dict(challenge.private),
                "challengeAnswer": text,
                "userNotFound": False,
            }
            response = yield from self._hook(
                pool,
                "verifyAuthChallengeResponse",
                "VerifyAuthChallengeResponse_Authentication",
                user.username,
                request,
                answer,
            )
            correct = response.get("answerCorrect") is True
            self._emit(
                tk.USER_CHALLENGE_ANSWERED,
                pool,
                user,
                challenge=cognito.CUSTOM_CHALLENGE,
                answer_correct=correct,
                invocation_ids=list(answer.invocation_ids),
            )
            rounds = [
                *challenge.rounds,
                {
                    "challengeName": cognito.CUSTOM_CHALLENGE,
                    "challengeResult": correct,
                    "challengeMetadata": challenge.metadata,
                },
            ]
            yield from self._define(pool, user, rounds, answer)

        self._drive(
            self._guarded(
                flow(), pool, "RespondToAuthChallenge", username, answer, forget_challenge=True
            ),
            detached,
        )
        return answer

    def _define(self, pool: Pool, user: User, rounds: list[dict[str, Any]], answer: Answer) -> Flow:
        """DefineAuthChallenge on the rounds so far, and what it decides: tokens (after
        postAuthentication), a refusal, or the next CUSTOM_CHALLENGE from createAuthChallenge."""
        request = {
            "userAttributes": user.event_attributes(),
            "session": rounds,
            "userNotFound": False,
        }
        response = yield from self._hook(
            pool,
            "defineAuthChallenge",
            "DefineAuthChallenge_Authentication",
            user.username,
            request,
            answer,
        )
        if response.get("failAuthentication") is True:
            raise HookFailed(
                "", CognitoError("NotAuthorizedException", "Incorrect username or password.")
            )
        if response.get("issueTokens") is True:
            yield from self._post_authentication(pool, user, answer)
            yield from self._issue_token(
                pool, user, "TokenGeneration_Authentication", answer, "CUSTOM_AUTH"
            )
            return
        name = response.get("challengeName")
        if name != cognito.CUSTOM_CHALLENGE:
            raise HookFailed(
                "defineAuthChallenge",
                CognitoError(
                    "InvalidLambdaResponseException",
                    "Unrecognizable lambda output",
                    "defineAuthChallenge must answer issueTokens: true, failAuthentication: "
                    "true or challengeName: CUSTOM_CHALLENGE (stptui runs no SRP challenge)",
                ),
            )
        if "createAuthChallenge" not in pool.hooks:
            raise HookFailed(
                "defineAuthChallenge",
                CognitoError(
                    "InvalidLambdaResponseException",
                    "Create Auth Challenge lambda trigger is not configured for the user pool.",
                    "set the pool's hooks.createAuthChallenge",
                ),
            )
        request = {
            "userAttributes": user.event_attributes(),
            "challengeName": cognito.CUSTOM_CHALLENGE,
            "session": rounds,
            "userNotFound": False,
        }
        created = yield from self._hook(
            pool,
            "createAuthChallenge",
            "CreateAuthChallenge_Authentication",
            user.username,
            request,
            answer,
        )
        public = created.get("publicChallengeParameters")
        private = created.get("privateChallengeParameters")
        metadata = created.get("challengeMetadata")
        challenge = cognito.Challenge(
            rounds,
            public if isinstance(public, dict) else {},
            private if isinstance(private, dict) else {},
            metadata if isinstance(metadata, str) else None,
            self.now + cognito.AUTH_SESSION_MS,
        )
        user.challenge = challenge
        answer.public = dict(challenge.public)
        self._challenged(pool, user, answer, cognito.CUSTOM_CHALLENGE, "CUSTOM_AUTH")
