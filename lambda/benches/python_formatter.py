"""A plain-Python notifier formatter: the benchmark's baseline (standard library only).

It does the work the Rust notifier does per event, bytes in to Slack JSON bytes out: parse
the payload with the json module, pick the kind, build an equivalent Block Kit message
(header, body, fields, console link, context; mrkdwn escaping; limits) and serialise it.
GuardDuty is formatted in full; the other kinds get the same shape from their main fields.

  python3 python_formatter.py bench FIXTURE_DIR ROUNDS   -> prints "<µs per event> <events>"
  python3 python_formatter.py preview FILE               -> one JSON line per event (stdout)
"""

import json
import os
import sys
import time

RED, DARK_RED, AMBER, BLUE, GREEN = "#E01E5A", "#8B0000", "#ECB22E", "#439FE0", "#2EB67D"
INVISIBLE = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
             0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF, 0x061C}
ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", **{c: None for c in INVISIBLE}}
GLOBAL = {"iam", "sts", "organizations", "cloudfront", "route53", "signin", "support", "account"}


def escape(s):
    return s.translate(ESCAPES)


def truncate(s, n):
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def s_at(d, *path):
    for k in path:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    if isinstance(d, str):
        return d if d.strip() else None
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, (int, float)):
        return str(d)
    return None


def band(sev):
    return "Critical" if sev >= 9 else "High" if sev >= 7 else "Medium" if sev >= 4 else "Low"


def enc(s):
    from urllib.parse import quote
    return quote(s, safe="-_.~")


def guardduty(env, d):
    sev = float(d.get("severity") or 0)
    title = s_at(d, "title") or s_at(d, "type") or "Unknown"
    region = s_at(d, "region") or env.get("region", "")
    account = s_at(d, "accountId") or env.get("account", "")
    b = band(sev)
    fields = [("Severity", f"{b} ({sev:.1f})"), ("Type", s_at(d, "type") or "Unknown"),
              ("Account", account), ("Region", region)]
    r = d.get("resource") or {}
    kind = s_at(r, "resourceType")
    if kind == "Instance":
        fields.append(("Resource", f"Instance {s_at(r, 'instanceDetails', 'instanceId')}"))
    elif kind == "AccessKey":
        fields.append(("Resource", f"AccessKey {s_at(r, 'accessKeyDetails', 'accessKeyId')} of "
                                   f"{s_at(r, 'accessKeyDetails', 'userName')}"))
    elif kind:
        fields.append(("Resource", kind))
    svc = d.get("service") or {}
    a = svc.get("action") or {}
    at = s_at(a, "actionType")
    if at == "AWS_API_CALL":
        c = a.get("awsApiCallAction") or {}
        fields.append(("Activity", f"API {s_at(c, 'api')} on {s_at(c, 'serviceName')}"))
    elif at == "NETWORK_CONNECTION":
        c = a.get("networkConnectionAction") or {}
        ip = s_at(c, "remoteIpDetails", "ipAddressV4")
        cc = s_at(c, "remoteIpDetails", "country", "countryName")
        fields.append(("Activity", f"{(s_at(c, 'connectionDirection') or '').lower()} connection"
                                   f" from {ip} ({cc})"))
    elif at == "DNS_REQUEST":
        fields.append(("Activity", f"DNS query for {s_at(a, 'dnsRequestAction', 'domain')}"))
    elif at:
        fields.append(("Activity", at))
    if svc.get("count") is not None:
        fields.append(("Count", str(svc["count"])))
    for label, key in (("First seen", "eventFirstSeen"), ("Last seen", "eventLastSeen")):
        if s_at(svc, key):
            fields.append((label, s_at(svc, key)))
    desc = s_at(d, "description") or ""
    body = desc[len(title):].lstrip(". ") if desc.startswith(title.rstrip(".")) else desc
    url = (f"https://{region}.console.aws.amazon.com/guardduty/home?region={enc(region)}"
           f"#/findings?macros=current&fId={enc(s_at(d, 'id') or '')}")
    mention = "<!channel> " if sev >= 9 else "<!here> " if sev >= 7 else ""
    colour = {"Critical": DARK_RED, "High": RED, "Medium": AMBER}.get(b, BLUE)
    summary = f"GuardDuty {b} ({sev:.1f}): {title} in {region}"
    ctx = [f"account {account}", region, s_at(svc, "eventLastSeen") or ""]
    return message(mention + escape(summary), colour, title, [body] if body else [], fields,
                   [("Open in GuardDuty", url)], ctx)


def generic(env, d, label):
    title = (s_at(d, "title") or s_at(d, "check-name") or s_at(d, "messageType")
             or env.get("detail-type", label))
    fields = [(k, s_at(d, k)) for k in ("severity", "status", "type", "accountId", "region")
              if s_at(d, k)]
    summary = f"{label}: {title} in {env.get('region', '')}"
    url = f"https://console.aws.amazon.com/{label.lower()}/home"
    ctx = [f"account {env.get('account', '')}", env.get("region", ""), env.get("time", "")]
    return message(escape(summary), BLUE, title, [s_at(d, "description") or ""], fields,
                   [(f"Open in {label}", url)], ctx)


def message(text, colour, header, body, fields, links, context):
    blocks = [{"type": "header", "text": {"type": "plain_text", "emoji": True,
                                          "text": truncate(escape(header), 150)}}]
    for p in body:
        if p.strip():
            blocks.append({"type": "section",
                           "text": {"type": "mrkdwn", "text": truncate(escape(p), 3000)}})
    for i in range(0, len(fields), 10):
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": truncate(f"*{escape(k)}*\n{escape(v or '—')}", 2000)}
            for k, v in fields[i:i + 10]]})
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "  ·  ".join(
        f"<{u}|{escape(lbl)}>" for lbl, u in links)}})
    blocks = blocks[:49]
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": escape("  ·  ".join(c for c in context if c.strip()))}]})
    return {"text": truncate(text, 40000), "attachments": [{"color": colour, "blocks": blocks}]}


KINDS = {("aws.guardduty", "GuardDuty Finding"): guardduty}
LABELS = {"aws.config": "Config", "aws.inspector2": "Inspector",
          "aws.trustedadvisor": "TrustedAdvisor", "aws.securityhub": "SecurityHub",
          "awsmon.test": "awsmon"}


def events(payload):
    items = payload if isinstance(payload, list) else [payload]
    for v in items:
        if not isinstance(v, dict):
            continue
        for r in v.get("Records") or []:
            msg = (r.get("Sns") or {}).get("Message") or ""
            try:
                inner = json.loads(msg)
            except ValueError:
                inner = None
            if isinstance(inner, dict) and "detail-type" in inner:
                yield inner
            else:
                yield {"source": "aws.budgets", "detail-type": "AWS Budgets Notification",
                       "detail": {"title": (r.get("Sns") or {}).get("Subject"),
                                  "description": msg}}
        if "detail-type" in v:
            yield v


def format_payload(raw):
    """Bytes in → list of (event id, Slack JSON bytes)."""
    out = []
    for env in events(json.loads(raw)):
        d = env.get("detail")
        if not isinstance(d, dict):
            continue
        f = KINDS.get((env.get("source"), env.get("detail-type")))
        msg = f(env, d) if f else generic(env, d, LABELS.get(env.get("source"), "Budgets"))
        out.append((env.get("id", ""), json.dumps(msg, ensure_ascii=False, sort_keys=True,
                                                  separators=(",", ":")).encode()))
    return out


def bench(fixture_dir, rounds):
    raws = [open(os.path.join(fixture_dir, n), "rb").read()
            for n in sorted(os.listdir(fixture_dir)) if n.endswith(".json")]
    count = sum(len(format_payload(r)) for r in raws)
    best = float("inf")
    # The best of many short samples, as the Rust side measures.
    for _ in range(40):
        started = time.perf_counter()
        for _ in range(rounds):
            for r in raws:
                format_payload(r)
        best = min(best, (time.perf_counter() - started) * 1e6 / (rounds * count))
    print(f"{best:.2f} {count}")


def preview(path):
    """A whole array at once, as a Python function would get it, one JSON line per event."""
    with open(path, "rb") as f:
        raw = f.read()
    w = sys.stdout.buffer
    for i, body in format_payload(raw):
        w.write(b'{"id":' + json.dumps(i).encode() + b',"payload":' + body + b"}\n")


if __name__ == "__main__":
    if sys.argv[1] == "bench":
        bench(sys.argv[2], int(sys.argv[3]))
    else:
        preview(sys.argv[2])
