"""The `boto3` (and `botocore`) a Python handler imports under stptui: a stand-in that carries
the SDK calls real Lambda code makes out through the running invocation's `context`.

Real handlers do not call `context.send`: they call `boto3.client("sqs").send_message(
QueueUrl=os.environ["STP_JOB_QUEUE_URL"], MessageBody=...)`. While a session's handler
modules are imported and while one of its handlers runs, `sys.modules` maps `boto3`,
`boto3.session`, `boto3.dynamodb`, `boto3.dynamodb.conditions`, `boto3.dynamodb.types`,
`botocore`, `botocore.exceptions` and `botocore.config` to the modules `modules()` makes, and
any real boto3 or botocore is hidden (`install`/`uninstall`, called by handler_modules); so
the same code runs whether or not the real SDK is installed, and never reaches AWS.

A client holds no invocation: each call acts for the invocation running when it is made
(`acting_for`, set around the handler's call by python_handlers), so that a client made at
import, as Lambda code makes it, serves every invocation. A call outside an invocation (at
import) raises `OutsideInvocationError`, which says so.

Each operation checks its parameters as botocore does (ParamValidationError, in botocore's
words), then calls the `context` method that does the same thing, and answers in boto3's
response shape: what the method returned (a dict keyed as boto3's response) is passed
through, and where it returned None only what stptui can fill truthfully is filled (SQS's
MD5 digests, Lambda's 202, S3's reads). A refusal is the `ClientError` the context raised,
re-raised as the class botocore models for that code (`client.exceptions.NoSuchKey`,
`ConditionalCheckFailedException`) where it models one. A parameter the real API takes but
stptui cannot carry out raises `BehaviorError` naming it; an operation or a service the
stand-in lacks raises an error listing those it has. docs/python-handlers.md ("boto3 in
handlers") lists the operations; docs/fidelity.md the choices.

Its modules: `invocation` alone holds the invocation being run and carries every call to it;
one module per service, named as `boto3.client` names the service (`awslambda` for lambda),
holds that service's operations (OPERATIONS), which `client` gathers; `sdk_modules` makes the
modules `import` finds and installs them (docs/design.md lists them all). The package is
imported with the first handler module, not when stptui starts.
"""

from stptui.sim.behavior.boto3_standin.exceptions import OutsideInvocationError
from stptui.sim.behavior.boto3_standin.invocation import acting_for
from stptui.sim.behavior.boto3_standin.responses import StreamingBody
from stptui.sim.behavior.boto3_standin.sdk_modules import install, modules, uninstall

__all__ = [
    "OutsideInvocationError",
    "StreamingBody",
    "acting_for",
    "install",
    "modules",
    "uninstall",
]
