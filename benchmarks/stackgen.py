"""Generates large, valid Stacktape configs for the benchmarks (deterministic)."""

from __future__ import annotations


def generate_stack(resources: int = 2000) -> str:
    """A valid stack of about `resources` resources: pipelines of queue + DLQ + worker,
    buses with subscribers, buckets with processors, scheduled jobs and HTTP routes."""
    lines = ["serviceName: bench", "resources:", "  gateway:", "    type: http-api-gateway"]
    lines += ["  bus:", "    type: event-bus"]
    count = 2
    i = 0
    while count < resources:
        kind = i % 4
        if kind == 0:  # queue + DLQ + worker (3 resources)
            lines += [
                f"  jobs{i}:",
                "    type: sqs-queue",
                "    properties:",
                "      visibilityTimeoutSeconds: 180",
                f"      redrivePolicy: {{targetSqsQueueName: dlq{i}, maxReceiveCount: 5}}",
                f"  dlq{i}:",
                "    type: sqs-queue",
                f"  worker{i}:",
                "    type: function",
                "    properties:",
                "      packaging:",
                "        type: stacktape-lambda-buildpack",
                f"        properties: {{entryfilePath: src/worker{i}.ts}}",
                "      timeout: 30",
                "      environment:",
                "        - {name: LOG_LEVEL, value: info}",
                f"      connectTo: [jobs{i}, bus]",
                "      events:",
                "        - type: sqs",
                f"          properties: {{sqsQueueName: jobs{i}, batchSize: 5}}",
            ]
            count += 3
        elif kind == 1:  # bus subscriber
            lines += [
                f"  listener{i}:",
                "    type: function",
                "    properties:",
                "      packaging:",
                "        type: stacktape-lambda-buildpack",
                f"        properties: {{entryfilePath: src/listener{i}.ts}}",
                "      events:",
                "        - type: event-bus",
                "          properties:",
                "            eventBusName: bus",
                "            eventPattern:",
                f"              source: [app.{i}]",
                "              detail-type: [OrderCreated, OrderShipped]",
                "              detail: {amount: [{numeric: ['>', 100]}]}",
            ]
            count += 1
        elif kind == 2:  # bucket + processor
            lines += [
                f"  files{i}:",
                "    type: bucket",
                f"  processor{i}:",
                "    type: function",
                "    properties:",
                "      packaging:",
                "        type: stacktape-lambda-buildpack",
                f"        properties: {{entryfilePath: src/p{i}.ts}}",
                "      memory: 2048",
                "      events:",
                "        - type: s3",
                "          properties:",
                f"            bucketArn: $ResourceParam('files{i}', 'arn')",
                "            s3EventType: s3:ObjectCreated:*",
                "            filterRule: {prefix: incoming/, suffix: .csv}",
            ]
            count += 2
        else:  # scheduled job with an HTTP route
            lines += [
                f"  cron{i}:",
                "    type: function",
                "    properties:",
                "      packaging:",
                "        type: stacktape-lambda-buildpack",
                f"        properties: {{entryfilePath: src/cron{i}.ts}}",
                "      events:",
                "        - type: schedule",
                f"          properties: {{scheduleRate: 'cron({i % 60} 9 ? * MON-FRI *)'}}",
                "        - type: http-api-gateway",
                "          properties: "
                f"{{httpApiGatewayName: gateway, method: GET, path: '/r{i}/{{id}}'}}",
            ]
            count += 1
        i += 1
    return "\n".join(lines) + "\n"
