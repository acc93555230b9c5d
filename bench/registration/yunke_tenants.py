#!/usr/bin/env python3
"""Sets up softphones on a running Yunke through its REST API only, as a customer would.

    yunke_tenants.py BASE_URL OPERATOR_PASSWORD COUNT > users.txt

Prints "number password" for COUNT agent softphones: enough instances of the largest spec (an
instance holds at most that spec's seats) are bought by one verified account in commercial use, and
every agent's softphone password is set through POST /api/v1/agents/{agentId}/softphone/password.
bench/calls/yunke_callcenter.py builds on the same steps (import this file as a module).
"""
import json
import random
import secrets
import string
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

base = ""  # the server's URL, set by main() or by the importing script


def call(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")


def login(account, password):
    return call("POST", "/api/v1/auth/login", {"account": account, "password": password})["accessToken"]


def credit_code():
    """A unified social credit code with a correct check character (GB 32100-2015)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = "91110000" + "".join(random.choice(alphabet) for _ in range(9))
    total = sum(alphabet.index(c) * w for c, w in zip(body, weights))
    return body + alphabet[(31 - total % 31) % 31]


def softphone_password():
    # Upper, lower, digits and a special: the softphone password rules; no ';' (sipp's CSV) or spaces.
    return "Bx#" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12)) + "7a"


def tenants(operator_password, count):
    """Enough new instances of the largest spec to hold COUNT agents, as few as can, with COUNT's seats spread evenly
    over them: their tenant admins' tokens and their numbers."""
    operator = login("operator", operator_password)
    name = "bench" + secrets.token_hex(6)
    call("POST", "/api/v1/signup", {"account": name, "password": "Bench#Pass2026", "email": f"{name}@example.cn", "phone": "13800138000"})
    owner = login(name, "Bench#Pass2026")
    application = call("POST", "/api/v1/me/enterprise-verification",
                       {"enterpriseName": "压测企业有限公司", "creditCode": credit_code(), "legalPerson": "张三"}, owner)
    call("POST", f"/api/v1/operator/verifications/{application['id']}/approve", {}, operator)
    call("POST", "/api/v1/me/service", {"agreeServiceAgreement": True, "agreePrivacyPolicy": True}, owner)
    spec = max(call("GET", "/api/v1/offerings")["specs"], key=lambda s: s["maxSeats"])

    # The agents spread evenly over the instances, so that calls spread evenly over them load each alike.
    instances = -(-count // spec["maxSeats"])
    admins, numbers = [], []
    for i in range(instances):
        seats = count // instances + (i < count % instances)
        number = "0" + str(random.randint(1_000_000_000_000, 9_999_999_999_999))
        own = call("POST", "/api/v1/numbers/own", {"number": number, "carrier": "中国电信"}, owner)
        call("POST", f"/api/v1/operator/own-numbers/{own['id']}/complete", {}, operator)
        instance = call("POST", "/api/v1/instances", {
            "name": f"压测{len(admins) + 1}", "numbers": [number], "billingMode": "prepaid", "spec": spec["code"],
            "seats": {"voice": seats, "video": 0, "multimedia": 0}, "periodMonths": 12,
            "agreeServiceAgreement": True, "agreePrivacyPolicy": True}, owner)
        admin = instance["tenantAdmin"]
        first = login(admin["account"], admin["password"])
        call("POST", "/api/v1/auth/password", {"currentPassword": admin["password"], "newPassword": "Admin#Pass2026"}, first)
        admins.append(login(admin["account"], "Admin#Pass2026"))
        numbers.append(number)
    return admins, numbers


def agents_of(admins):
    """(admin token, agent ID, softphone number) of every agent of the admins' instances."""
    agents = []
    for admin in admins:
        page = 1
        while True:
            items = call("GET", f"/api/v1/agents?page={page}&pageSize=200", token=admin)["items"]
            agents += [(admin, a["agentId"], a["softphoneNumber"]) for a in items]
            if len(items) < 200:
                break
            page += 1
    return agents


def set_password(agent):
    admin, agent_id, number = agent
    password = softphone_password()
    call("POST", f"/api/v1/agents/{agent_id}/softphone/password", {"password": password}, admin)
    return f"{number} {password}"


def main():
    global base
    base, operator_password, count = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
    admins, _ = tenants(operator_password, count)
    with ThreadPoolExecutor(4) as pool:
        print("\n".join(pool.map(set_password, agents_of(admins)[:count])))


if __name__ == "__main__":
    main()
