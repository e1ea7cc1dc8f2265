"""More of the checks Stacktape's deployer makes before it builds anything (stptui.config.lint):
load balancer rule priorities (e93), listener ports used twice, one integration per network
load balancer listener (e116), deployment hooks and EFS mounts that name resources of the
stack, and the load balancing a web-service's `deployment`, `useFirewall` and `cdn` need."""

from __future__ import annotations

import pytest
from lintkit import codes, found, load, one, where

NEW_CODES = (
    "duplicate-listener-priority",
    "duplicate-listener-port",
    "listener-integrations",
    "load-balancing-required",
    "deployment-load-balancer-target",
    "fargate-cpu-memory",
    "instance-types-conflict",
    "scaling-range",
    "container-names",
    "duplicate-container-port",
)


# -- application load balancer rule priorities (e93) ------------------------------------------

ALB_FUNCTIONS = """\
resources:
  lb:
    type: application-load-balancer
  api:
    type: function
    properties:
      {PKG}
      events:
        - type: application-load-balancer
          properties: {loadBalancerName: lb, priority: 1, paths: ['/api/*']}
  admin:
    type: function
    properties:
      {PKG}
      events:
        - type: application-load-balancer
          properties: {loadBalancerName: lb, priority: %s, paths: ['/admin/*']}
"""


def test_two_functions_with_one_priority_on_a_listener_is_an_error_at_the_second() -> None:
    d = one(ALB_FUNCTIONS % 1, "duplicate-listener-priority")
    assert where(d) == ("error", "s.yml", 17, 56)
    assert d.resource == "admin"
    assert "priority 1" in d.message and "'api'" in d.message and "line 10" in d.message
    assert "e93" in d.message
    assert d.hint is not None and "priority: 2" in d.hint


def test_distinct_priorities_on_one_listener_are_fine() -> None:
    assert "duplicate-listener-priority" not in codes(ALB_FUNCTIONS % 2)


CUSTOM_LISTENERS = """\
resources:
  lb:
    type: application-load-balancer
    properties:
      listeners:
        - {port: 443, protocol: HTTPS}
        - {port: 8443, protocol: HTTPS}
  job:
    type: batch-job
    properties:
      container: {packaging: {type: prebuilt-image, properties: {image: alpine}}}
      resources: {cpu: 1, memory: 1024}
      events:
        - type: application-load-balancer
          properties: {loadBalancerName: lb, listenerPort: 443, priority: 5}
  web:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      containers:
        - name: app
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          events:
            - type: application-load-balancer
              properties: {loadBalancerName: lb, listenerPort: %s, priority: 5, containerPort: 80}
"""


def test_a_container_and_a_batch_job_share_a_priority_on_one_listener() -> None:
    d = one(CUSTOM_LISTENERS % 443, "duplicate-listener-priority")
    assert d.resource == "web"
    assert "'job'" in d.message and "listener 443" in d.message


def test_one_priority_on_two_listeners_is_fine() -> None:
    assert "duplicate-listener-priority" not in codes(CUSTOM_LISTENERS % 8443)


def test_one_function_using_a_priority_twice_is_an_error() -> None:
    text = """\
    resources:
      lb: {type: application-load-balancer}
      api:
        type: function
        properties:
          {PKG}
          events:
            - type: application-load-balancer
              properties: {loadBalancerName: lb, priority: 3, paths: ['/a']}
            - type: application-load-balancer
              properties: {loadBalancerName: lb, priority: 3, paths: ['/b']}
    """
    d = one(text, "duplicate-listener-priority")
    assert d.line == 11 and "'api'" in d.message


def test_events_on_no_listener_of_their_own_get_no_priority_finding() -> None:
    # Both name a port the load balancer (default listeners only) refuses: that is e44 alone.
    text = ALB_FUNCTIONS.replace("priority: 1,", "listenerPort: 443, priority: 1,") % 1
    text = text.replace(
        "priority: 1, paths: ['/admin", "listenerPort: 443, priority: 1, paths: ['/admin"
    )
    found_codes = codes(text)
    assert "listener-port" in found_codes
    assert "duplicate-listener-priority" not in found_codes


# -- listener ports used twice -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lb_type", "protocol"),
    [("application-load-balancer", "HTTP"), ("network-load-balancer", "TCP")],
)
def test_two_listeners_on_one_port_is_an_error_at_the_second(lb_type: str, protocol: str) -> None:
    text = f"""\
    resources:
      lb:
        type: {lb_type}
        properties:
          listeners:
            - {{port: 80, protocol: {protocol}}}
            - {{port: 80, protocol: {protocol}}}
    """
    d = one(text, "duplicate-listener-port")
    assert where(d) == ("error", "s.yml", 7, 18)
    assert d.resource == "lb"
    assert 'Two or more listeners are using the same port "80"' in d.message


# -- network load balancer listeners: exactly one integration (e116) ---------------------------

NLB = """\
resources:
  nlb:
    type: network-load-balancer
    properties:
      listeners:
        - {port: 80, protocol: TCP}
        - {port: 5432, protocol: TCP}
  app:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      containers:
        - name: web
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          events:
            - type: network-load-balancer
              properties: {loadBalancerName: nlb, listenerPort: 80, containerPort: 80}
        - name: db
          packaging: {type: prebuilt-image, properties: {image: postgres}}
          events:
            - type: network-load-balancer
              properties: {loadBalancerName: nlb, listenerPort: %s, containerPort: 5432}
"""


def test_each_network_listener_with_one_integration_is_fine() -> None:
    assert "listener-integrations" not in codes(NLB % 5432)


def test_a_network_listener_without_integration_is_an_error_at_the_listener() -> None:
    diags = found(NLB % 80, "listener-integrations")
    lonely = [d for d in diags if d.resource == "nlb"]
    assert len(lonely) == 1
    assert where(lonely[0]) == ("error", "s.yml", 7, 18)
    assert "port 5432 has 0 integrations" in lonely[0].message and "e116" in lonely[0].message


def test_a_network_listener_with_two_integrations_is_an_error_at_the_second() -> None:
    diags = [d for d in found(NLB % 80, "listener-integrations") if d.resource == "app"]
    assert len(diags) == 1
    assert diags[0].line == 22
    assert "port 80 has 2 integrations" in diags[0].message
    assert "line 17" in diags[0].message


def test_a_network_listener_a_service_takes_is_not_reported_as_unused() -> None:
    # Stacktape's published examples give a web-service a load balancer of the stack.
    text = """\
    resources:
      nlb:
        type: network-load-balancer
        properties:
          listeners: [{port: 443, protocol: TLS}]
      service:
        type: web-service
        properties:
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          resources: {cpu: 0.5, memory: 1024}
          loadBalancing:
            type: network-load-balancer
            properties: {loadBalancerName: nlb, port: 443}
    """
    assert "listener-integrations" not in codes(text)


# -- deployment hooks ----------------------------------------------------------------------------

HOOKS = """\
resources:
  checkTraffic:
    type: function
    properties:
      {PKG}
  queue:
    type: sqs-queue
  api:
    type: function
    properties:
      {PKG}
      deployment:
        strategy: Linear10PercentEvery1Minute
        beforeAllowTrafficFunction: %s
        afterTrafficShiftFunction: %s
"""


def test_deployment_hooks_naming_functions_of_the_stack_are_fine() -> None:
    stack = load(HOOKS % ("checkTraffic", "checkTraffic"))
    assert not [d for d in stack.diagnostics if d.severity == "error"]


def test_a_deployment_hook_naming_no_resource_is_an_error_at_its_value() -> None:
    d = one(HOOKS % ("checkTrafic", "checkTraffic"), "missing-resource")
    assert where(d) == ("error", "s.yml", 14, 37)
    assert d.resource == "api"
    assert "deployment.beforeAllowTrafficFunction 'checkTrafic'" in d.message
    assert d.hint == "did you mean 'checkTraffic'?"


def test_a_deployment_hook_naming_a_queue_is_a_wrong_type() -> None:
    d = one(HOOKS % ("checkTraffic", "queue"), "wrong-resource-type")
    assert d.line == 15 and "not a function" in d.message


def test_a_container_workloads_deployment_hook_is_checked_too() -> None:
    text = """\
    resources:
      lb: {type: application-load-balancer}
      web:
        type: web-service
        properties:
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          resources: {cpu: 0.25, memory: 512}
          loadBalancing: {type: application-load-balancer}
          deployment: {strategy: AllAtOnce, afterTrafficShiftFunction: smokeTest}
    """
    d = one(text, "missing-resource")
    assert d.line == 9 and "afterTrafficShiftFunction 'smokeTest'" in d.message


# -- EFS mounts -------------------------------------------------------------------------------

EFS_FUNCTION = """\
resources:
  files:
    type: %s
  fn:
    type: function
    properties:
      {PKG}
      joinDefaultVpc: true
      volumeMounts:
        - type: efs
          properties: {efsFilesystemName: files, rootDirectory: /data, mountPath: /mnt/data}
"""


@pytest.mark.parametrize("efs_type", ["efs-filesystem", "efs-storage"])
def test_a_mount_of_an_efs_filesystem_of_the_stack_is_fine(efs_type: str) -> None:
    found_codes = codes(EFS_FUNCTION % efs_type)
    assert "missing-resource" not in found_codes
    assert "wrong-resource-type" not in found_codes


def test_a_function_mount_of_another_resource_type_is_an_error() -> None:
    d = one(EFS_FUNCTION % "bucket", "wrong-resource-type")
    assert where(d) == ("error", "s.yml", 11, 43)
    assert "efsFilesystemName 'files' is a bucket, not an efs-filesystem" in d.message


def test_container_mounts_of_a_missing_filesystem_are_errors() -> None:
    text = """\
    resources:
      shared: {type: efs-filesystem}
      worker:
        type: worker-service
        properties:
          packaging: {type: prebuilt-image, properties: {image: alpine}}
          resources: {cpu: 0.25, memory: 512}
          volumeMounts:
            - type: efs
              properties: {efsFilesystemName: sharde, mountPath: /mnt}
      app:
        type: multi-container-workload
        properties:
          resources: {cpu: 0.25, memory: 512}
          containers:
            - name: c
              packaging: {type: prebuilt-image, properties: {image: alpine}}
              volumeMounts:
                - type: efs
                  properties: {efsFilesystemName: gone, mountPath: /mnt}
    """
    diags = found(text, "missing-resource")
    assert [(d.resource, d.line) for d in diags] == [("worker", 10), ("app", 20)]
    assert diags[0].hint == "did you mean 'shared'?"


# -- the load balancing a web-service's features need (e79, e1003, e117, e54, e61) ------------

WEB = """\
resources:
  web:
    type: web-service
    properties:
      packaging: {type: prebuilt-image, properties: {image: nginx}}
      resources: {cpu: 0.25, memory: 512}
      %s
"""


@pytest.mark.parametrize(
    ("props", "what", "line"),
    [
        ("deployment: {strategy: AllAtOnce}", "deployment", 7),
        ("useFirewall: fw", "useFirewall", 7),
        (
            "loadBalancing: {type: network-load-balancer}\n      deployment: {strategy: AllAtOnce}",
            "deployment",
            8,
        ),
    ],
)
def test_web_service_features_that_need_an_application_load_balancer(
    props: str, what: str, line: int
) -> None:
    text = WEB % props + "  fw: {type: web-app-firewall, properties: {scope: regional}}\n"
    d = one(text, "load-balancing-required")
    assert where(d) == ("error", "s.yml", line, 7)
    assert f"`{what}`" in d.message and "application-load-balancer" in d.message
    assert d.hint is not None and "loadBalancing: {type: application-load-balancer}" in d.hint


def test_web_service_cdn_with_a_network_load_balancer_is_an_error() -> None:
    text = WEB % "loadBalancing: {type: network-load-balancer}\n      cdn: {enabled: true}"
    d = one(text, "load-balancing-required")
    assert d.line == 8 and "e117" in d.message


def test_web_service_features_with_an_application_load_balancer_are_fine() -> None:
    text = WEB % (
        "loadBalancing: {type: application-load-balancer}\n"
        "      deployment: {strategy: AllAtOnce}\n      cdn: {enabled: true}"
    )
    assert "load-balancing-required" not in codes(text)


MCW_DEPLOY = """\
resources:
  lb: {type: application-load-balancer}
  app:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      deployment: {strategy: AllAtOnce}
      containers:
        - name: a
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          events:
            - type: application-load-balancer
              properties: {loadBalancerName: lb, priority: 1, containerPort: 80}
        - name: b
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          events:
            - type: application-load-balancer
              properties: {loadBalancerName: lb, priority: 2, containerPort: %s}
"""


def test_multi_container_deployment_needs_an_alb_event() -> None:
    text = """\
    resources:
      app:
        type: multi-container-workload
        properties:
          resources: {cpu: 0.25, memory: 512}
          deployment: {strategy: AllAtOnce}
          containers:
            - name: a
              packaging: {type: prebuilt-image, properties: {image: nginx}}
    """
    d = one(text, "load-balancing-required")
    assert where(d) == ("error", "s.yml", 6, 7)
    assert "e54" in d.message


def test_multi_container_deployment_with_alb_events_on_two_containers_is_an_error() -> None:
    text = MCW_DEPLOY % 81
    d = one(text, "deployment-load-balancer-target")
    assert d.line == 17 and "e61" in d.message and "'a'" in d.message
    assert "load-balancing-required" not in codes(text)


def test_multi_container_deployment_with_one_alb_target_is_fine() -> None:
    one_target = MCW_DEPLOY.split("        - name: b")[0]
    stack = load(one_target)
    assert not [d.format() for d in stack.diagnostics if d.code in NEW_CODES]


# -- container resources, scaling and containers (multi-container-workloads.ts) --------------

SERVICE = """\
resources:
  svc:
    type: %s
    properties:
      packaging: {type: prebuilt-image, properties: {image: nginx}}
      resources: %s
"""


@pytest.mark.parametrize("rtype", ["web-service", "private-service", "worker-service"])
def test_fargate_memory_a_cpu_size_does_not_allow_is_an_error_at_memory(rtype: str) -> None:
    d = one(SERVICE % (rtype, "{cpu: 2, memory: 2048}"), "fargate-cpu-memory")
    assert where(d) == ("error", "s.yml", 6, 35)
    assert d.resource == "svc"
    assert "Memory value '2048' is not compatible with CPU value '2'" in d.message
    assert d.hint is not None and "4096" in d.hint and "16384" in d.hint


@pytest.mark.parametrize(
    "resources",
    [
        "{cpu: 0.25, memory: 512}",
        "{cpu: 1, memory: 8192}",
        "{cpu: 2.0, memory: 4096}",
        "{cpu: 16, memory: 122880}",
        # EC2 instances take any memory that fits them
        "{cpu: 2, memory: 2048, instanceTypes: [c5.large]}",
    ],
)
def test_fargate_sizes_aws_allows_are_fine(resources: str) -> None:
    assert "fargate-cpu-memory" not in codes(SERVICE % ("web-service", resources))


def test_a_cpu_that_is_no_fargate_size_is_an_error_at_cpu() -> None:
    d = one(SERVICE % ("worker-service", "{cpu: 3, memory: 4096}"), "fargate-cpu-memory")
    assert where(d) == ("error", "s.yml", 6, 24)
    assert "0.25, 0.5, 1, 2, 4, 8, 16" in d.message


def test_architecture_with_instance_types_is_an_error() -> None:
    text = SERVICE % ("web-service", "{instanceTypes: [t4g.small], architecture: arm64}")
    d = one(text, "instance-types-conflict")
    assert where(d) == ("error", "s.yml", 6, 47)
    assert "e126" in d.message


def test_a_warm_pool_needs_exactly_one_instance_type() -> None:
    text = SERVICE % ("web-service", "{instanceTypes: [t3.small, t3.medium], enableWarmPool: true}")
    d = one(text, "instance-types-conflict")
    assert d.line == 6 and "e125" in d.message
    one_type = SERVICE % ("web-service", "{instanceTypes: [t3.small], enableWarmPool: true}")
    assert "instance-types-conflict" not in codes(one_type)


def test_fewer_max_than_min_instances_is_an_error_at_max() -> None:
    text = (SERVICE % ("web-service", "{cpu: 0.25, memory: 512}")) + (
        "      scaling: {minInstances: 5, maxInstances: %s}\n"
    )
    d = one(text % 2, "scaling-range")
    assert where(d) == ("error", "s.yml", 7, 48)
    assert "e89" in d.message
    assert "scaling-range" not in codes(text % 5)


MCW = """\
resources:
  app:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.5, memory: 1024}
      containers:
        - name: frontend
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          dependsOn: [{containerName: %s, condition: START}]
          events:
            - type: workload-internal
              properties: {containerPort: 3000}
        - name: %s
          packaging: {type: prebuilt-image, properties: {image: api}}
          events:
            - type: workload-internal
              properties: {containerPort: %s}
"""


def test_containers_with_their_own_names_and_ports_are_fine() -> None:
    stack = load(MCW % ("api", "api", 4000))
    assert not [d.format() for d in stack.diagnostics if d.severity == "error"]


def test_depending_on_a_container_the_workload_lacks_is_an_error() -> None:
    d = one(MCW % ("backend", "api", 4000), "container-names")
    assert where(d) == ("error", "s.yml", 9, 39)
    assert "'backend'" in d.message and "frontend, api" in d.message
    assert one(MCW % ("apii", "api", 4000), "container-names").hint == "did you mean 'api'?"


def test_two_containers_with_one_name_is_an_error_at_the_second() -> None:
    d = one(MCW % ("frontend", "frontend", 4000), "container-names")
    assert where(d) == ("error", "s.yml", 13, 17)


def test_two_containers_on_one_port_is_an_error_at_the_second() -> None:
    d = one(MCW % ("api", "api", 3000), "duplicate-container-port")
    assert where(d) == ("error", "s.yml", 17, 43)
    assert "'frontend'" in d.message and "'api'" in d.message and "3000" in d.message
