#!/usr/bin/env python3
"""Summarises `perf script -F comm,tid,ip,sym,dso` of the API process: samples per thread, per leaf
library, and the share of samples under each of a list of product areas (a sample counts once per area,
so areas overlap where one calls another), and each sample once more under the innermost area on its stack
("self": what an area costs itself, not what it calls; a sample under no area counts as "elsewhere").
Usage: perf-summary.py OUT.script [extra-area-regex...]"""
import collections
import re
import sys

AREAS = [
    ("Stripe.net request building (headers; form encoding of options classes)", r"Stripe\.SystemNetHttpClient::BuildRequestMessage"),
    ("Stripe.net answer parsing (full objects)", r"Stripe\.LiveApiRequestor::ProcessResponse"),
    ("Stripe.net, all of a request (options classes or raw)", r"Stripe\.LiveApiRequestor\+<(Raw)?RequestAsync>"),
    ("our Stripe form encoding", r"Integrations\.Stripe\.(StripeForm|StripeRequests|CustomerMapping)"),
    ("our Stripe answer reading", r"Integrations\.Stripe\.StripeAnswers"),
    ("HttpClient connection and sockets", r"HttpConnection|SocketsHttpHandler"),
    ("grain state serialisation (Newtonsoft JSON: the in-memory store's)", r"Newtonsoft"),
    ("Orleans messaging", r"Orleans\.Runtime\.Messaging"),
    ("Orleans activity propagation filters", r"ActivityPropagation"),
    ("Orleans dashboard call profiler", r"Orleans\.Dashboard"),
    ("OpenTelemetry (metric export and instruments)", r"OpenTelemetry"),
    ("System.Diagnostics.Metrics instruments", r"System\.Diagnostics\.Metrics"),
    ("logging", r"Microsoft\.Extensions\.Logging"),
    ("invoice grain", r"StripeInvoiceGrain"),
    ("customer grain", r"StripeCustomerGrain"),
    ("tenant grain", r"TenantGrain"),
    ("pacer", r"StripePacer|StripeTurns|StripePacing"),
    ("bill runs and status reports", r"BillRun|InvoiceStatusReports"),
    ("ledger", r"AccountLedger"),
    ("JIT (libclrjit)", r"libclrjit"),
    ("other product code (TenantBilling.*)", r"TenantBilling\."),
]


def samples(path):
    comm, stack = None, None
    for line in open(path, errors="replace"):
        if not line.strip():
            if stack is not None:
                yield comm, stack
            comm, stack = None, None
        elif line[0] not in " \t":
            comm, stack = line.rsplit(" ", 2)[0].strip(), []
        elif stack is not None:
            parts = line.strip().split(" ", 1)
            if len(parts) == 2:
                match = re.match(r"(.*) \((.*)\)$", parts[1])
                sym, dso = (match.group(1), match.group(2).split("/")[-1]) if match else (parts[1], "")
                stack.append(sym if sym != "[unknown]" else "?" + dso + " " + dso)
    if stack is not None:
        yield comm, stack


def main():
    all_samples = list(samples(sys.argv[1]))
    n = len(all_samples) or 1
    areas = AREAS + [(extra, extra) for extra in sys.argv[2:]]
    compiled = [(name, re.compile(pattern)) for name, pattern in areas]
    threads, leaves, hits, own = collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter()
    for comm, stack in all_samples:
        threads[comm] += 1
        if stack:
            leaf = stack[0]
            leaves["managed (jitted)" if "[" in leaf and not leaf.startswith("?") else leaf.split(" ")[-1]] += 1
        innermost = None
        for name, pattern in compiled:
            depths = [depth for depth, frame in enumerate(stack) if pattern.search(frame)]
            if depths:
                hits[name] += 1
                if innermost is None or depths[0] < innermost[0]:
                    innermost = (depths[0], name)
        own[innermost[1] if innermost else "elsewhere (runtime, framework, Orleans outside the areas)"] += 1
    print(f"{len(all_samples)} samples")
    print("\nthreads:")
    for name, count in threads.most_common(8):
        print(f"  {100 * count / n:5.1f}%  {name}")
    print("\nwhere the sample was taken (leaf):")
    for name, count in leaves.most_common(8):
        print(f"  {100 * count / n:5.1f}%  {name}")
    print("\nsamples under each area (inclusive; areas overlap):")
    for name, _ in areas:
        print(f"  {100 * hits[name] / n:5.1f}%  {name}")
    print("\nsamples by the innermost area on their stack (self; adds up to 100%):")
    for name, count in own.most_common():
        print(f"  {100 * count / n:5.1f}%  {name}")


if __name__ == "__main__":
    main()
