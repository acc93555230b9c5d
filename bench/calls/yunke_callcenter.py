#!/usr/bin/env python3
"""Sets up call centers on a running Yunke through its REST API only, as a customer would.

    yunke_callcenter.py BASE_URL OPERATOR_PASSWORD AGENTS > agents.txt

AGENTS agents spread evenly over as few instances of the largest spec as hold them (an instance holds at
most the spec's seats; bench/registration/yunke_tenants.py buys them). Each instance is one tenant with a
voice skill queue whose wrap-up time is 0 (an agent is free again the moment its call ends) and a called
route from the instance's number to that queue; each agent is an employee bound to an agent ID of its
tenant's queue, with a softphone password, past its first-login password change, and signed in (idle).
Prints the access codes (the instances' numbers) on the first line, separated by spaces, then
"number password" for every agent's softphone.
"""
import os
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "registration"))
import yunke_tenants as y  # noqa: E402

# An agent costs four password hashes (PBKDF2) on the server, one or two per request: enough requests in
# flight to keep the server's cores busy while others are on the wire or in Python.
WORKERS = 8

y.base, operator_password, count = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
admins, numbers = y.tenants(operator_password, count)
queues = {}  # admin token -> its tenant's skill queue ID
for admin, number in zip(admins, numbers):
    queues[admin] = y.call("POST", "/api/v1/skill-queues", {
        "name": "压测队列", "mediaType": "voice", "maxQueueLength": 1000, "maxWaitSeconds": 60, "wrapUpSeconds": 0}, admin)["id"]
    y.call("POST", "/api/v1/called-routes", {"accessCode": number, "deviceType": "skillQueue", "skillQueueId": queues[admin]}, admin)
run = secrets.token_hex(3)


def staff(agent):
    """One agent ready for calls: employee, binding, softphone password, first sign-in done, signed in."""
    admin, agent_id, phone = agent
    account = f"b{run}-{phone}"  # agent IDs repeat across tenants; softphone numbers do not
    y.call("POST", "/api/v1/employees", {
        "account": account, "name": "座席", "gender": "male", "department": "压测", "phone": "13900139000",
        "email": f"{account}@example.cn", "password": "First#Pass2026", "roles": ["agent"]}, admin)
    # The sipp phones answer at once; auto-answer only adds the headers.
    y.call("PUT", f"/api/v1/agents/{agent_id}",
           {"employeeAccount": account, "skillQueueIds": [queues[admin]], "autoAnswer": True, "autoAnswerDelaySeconds": 0}, admin)
    first = y.login(account, "First#Pass2026")
    # The change answers a fresh token.
    token = y.call("POST", "/api/v1/auth/password", {"currentPassword": "First#Pass2026", "newPassword": "Agent#Pass2026"}, first)["accessToken"]
    y.call("POST", "/api/v1/agent/sign-in", {}, token)
    return y.set_password(agent)


with ThreadPoolExecutor(WORKERS) as pool:
    lines = list(pool.map(staff, y.agents_of(admins)))
print(" ".join(numbers))
print("\n".join(lines))
