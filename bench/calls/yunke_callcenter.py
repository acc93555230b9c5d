#!/usr/bin/env python3
"""Sets up one call center on a running Yunke through its REST API only, as a customer would.

    yunke_callcenter.py BASE_URL OPERATOR_PASSWORD AGENTS > agents.txt

One tenant (an instance of the largest spec, so AGENTS is at most its seats) with a voice skill queue
whose wrap-up time is 0 (an agent is free again the moment its call ends), a called route from the
instance's number to that queue, and AGENTS agents: each one an employee bound to an agent ID of the
queue, with a softphone password, past its first-login password change, and signed in (idle).
Prints the access code on the first line, then "number password" for every agent's softphone.
"""
import os
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "registration"))
import yunke_tenants as y  # noqa: E402

y.base, operator_password, count = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
(admin,), (number,) = y.tenants(operator_password, count)
queue = y.call("POST", "/api/v1/skill-queues", {
    "name": "压测队列", "mediaType": "voice", "maxQueueLength": 1000, "maxWaitSeconds": 60, "wrapUpSeconds": 0}, admin)
y.call("POST", "/api/v1/called-routes", {"accessCode": number, "deviceType": "skillQueue", "skillQueueId": queue["id"]}, admin)
run = secrets.token_hex(3)


def staff(agent):
    """One agent ready for calls: employee, binding, softphone password, first sign-in done, signed in."""
    _, agent_id, phone = agent
    account = f"b{run}{agent_id}".lower()
    y.call("POST", "/api/v1/employees", {
        "account": account, "name": "座席", "gender": "male", "department": "压测", "phone": "13900139000",
        "email": f"{account}@example.cn", "password": "First#Pass2026", "roles": ["agent"]}, admin)
    # The sipp phones answer at once; auto-answer only adds the headers.
    y.call("PUT", f"/api/v1/agents/{agent_id}",
           {"employeeAccount": account, "skillQueueIds": [queue["id"]], "autoAnswer": True, "autoAnswerDelaySeconds": 0}, admin)
    first = y.login(account, "First#Pass2026")
    # The change answers a fresh token.
    token = y.call("POST", "/api/v1/auth/password", {"currentPassword": "First#Pass2026", "newPassword": "Agent#Pass2026"}, first)["accessToken"]
    y.call("POST", "/api/v1/agent/sign-in", {}, token)
    return y.set_password(agent)


with ThreadPoolExecutor(4) as pool:
    lines = list(pool.map(staff, y.agents_of([admin])[:count]))
print(number)
print("\n".join(lines))
