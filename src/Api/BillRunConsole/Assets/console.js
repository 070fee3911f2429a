// The bill-run console: signs in with the operator key (kept in this tab's sessionStorage), then shows
// GET /v1/bill-runs/{date} for a billing day and the six before it, refreshed every few seconds. Every value
// from the API is written with textContent or SVG attributes, never parsed as HTML.
"use strict";

const KEY = "tenant-billing-operator-key";
const REFRESH_MS = 5000;
const DAYS_SHOWN = 7;
const SVG = "http://www.w3.org/2000/svg";

// Stages in the order the bars draw them, with their colours and labels.
const STAGES = [
  ["sent", "Sent", "#2e7d32"],
  ["nothingToBill", "Nothing to bill", "#9e9e9e"],
  ["failed", "Failed", "#c62828"],
  ["held", "Held", "#ef6c00"],
  ["waitingForTaxes", "Waiting for taxes", "#6a1b9a"],
  ["inStripe", "In Stripe", "#1565c0"],
  ["composing", "Composing", "#64b5f6"],
];

// The day's figures, in the order a run goes.
const FIGURES = [
  ["due", "Due"], ["composing", "Composing"], ["waitingForTaxes", "Waiting for taxes"], ["held", "Held"],
  ["inStripe", "In Stripe"], ["sent", "Sent"], ["failed", "Failed"], ["nothingToBill", "Nothing to bill"],
];

const $ = (id) => document.getElementById(id);
let timer = null;
let busy = false;

function key() { return sessionStorage.getItem(KEY); }

async function api(method, path) {
  const response = await fetch(path, { method, headers: { Authorization: `Bearer ${key()}`, Accept: "application/json" }, cache: "no-store" });
  if (response.status === 401) {
    signOut("The key was refused. Sign in again.");
    throw new Error("refused");
  }
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    throw new Error(body?.title ?? `${method} ${path}: ${response.status}`);
  }
  return body;
}

// ---- sign in -------------------------------------------------------------------------------------------
async function signIn(event) {
  event.preventDefault();
  const candidate = $("key").value.trim();
  $("sign-in-error").textContent = "";
  // Listing accounts is for the operator only: 401 for an unknown key, 403 for an account key.
  const response = await fetch("/v1/accounts?limit=1", { headers: { Authorization: `Bearer ${candidate}` }, cache: "no-store" });
  if (response.status === 401) {
    $("sign-in-error").textContent = "That key was refused.";
    return;
  }
  if (response.status === 403) {
    $("sign-in-error").textContent = "That is an account key: the console needs the operator key.";
    return;
  }
  if (!response.ok) {
    $("sign-in-error").textContent = `The service answered ${response.status}; try again.`;
    return;
  }
  sessionStorage.setItem(KEY, candidate);
  $("key").value = "";
  show();
}

function signOut(message) {
  sessionStorage.removeItem(KEY);
  clearTimeout(timer);
  $("console").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message ?? "";
}

function show() {
  $("sign-in").hidden = true;
  $("console").hidden = false;
  $("sign-out").hidden = false;
  refresh();
}

// ---- days ----------------------------------------------------------------------------------------------
function selectedDay() { return $("date").value; }

function daysBefore(day, count) {
  const days = [];
  const at = new Date(`${day}T00:00:00Z`);
  for (let i = 0; i < count; i++) {
    days.push(new Date(at.getTime() - i * 86400000).toISOString().slice(0, 10));
  }
  return days;
}

async function refresh() {
  clearTimeout(timer);
  if (!key()) return;
  const day = selectedDay();
  try {
    const runs = await Promise.all(daysBefore(day, DAYS_SHOWN).map((d) => api("GET", `/v1/bill-runs/${d}`)));
    $("error").textContent = "";
    renderDays(runs, day);
    renderDay(runs[0]);
    $("updated").textContent = `Updated ${new Date().toISOString().slice(11, 19)} UTC · billing clock ${runs[0].asOf.slice(0, 16).replace("T", " ")}`;
  } catch (error) {
    if (error.message !== "refused") $("error").textContent = `Could not load the bill runs: ${error.message}`;
  }
  if (key()) timer = setTimeout(refresh, REFRESH_MS);
}

function renderDays(runs, selected) {
  const body = $("days").tBodies[0];
  body.replaceChildren(...runs.map((run) => {
    const row = el("tr", run.date === selected ? { class: "selected" } : {});
    const pick = el("button", { type: "button", class: "day" }, run.date);
    pick.addEventListener("click", () => { $("date").value = run.date; history.replaceState(null, "", `?date=${run.date}`); refresh(); });
    const finished = run.invoices.sent + run.invoices.nothingToBill + run.invoices.failed;
    row.append(
      el("td", {}, pick),
      el("td", {}, bar(run.invoices, `${run.date}: ${finished} of ${run.invoices.due} finished`)),
      el("td", { class: "n" }, run.invoices.due === 0 ? "no invoices" : `${finished} of ${run.invoices.due}`),
      el("td", { class: "n" }, String(run.invoices.due - finished)),
      el("td", { class: "n" }, String(run.invoices.failed)));
    return row;
  }));
  $("legend").replaceChildren(...STAGES.map(([, label, colour]) => {
    const swatch = svg("svg", { width: 10, height: 10, "aria-hidden": "true" });
    swatch.append(svg("rect", { width: 10, height: 10, fill: colour }));
    return el("li", {}, swatch, label);
  }));
}

function renderDay(run) {
  $("day-title").textContent = `${run.date}: ${run.invoices.due} invoice${run.invoices.due === 1 ? "" : "s"} due`;
  const figures = FIGURES.map(([name, label]) => [label, run.invoices[name]]);
  $("summary").replaceChildren(...figures.map(([label, value]) => el("div", {}, el("dt", {}, label), el("dd", {}, String(value)))));
  $("pace").textContent = pace(run);
  renderChart(run.sentOverTime);
  renderAccounts(run.accounts);
  renderFailures(run.failures, run.invoices.failed);
}

function pace(run) {
  const i = run.invoices;
  const open = i.composing + i.waitingForTaxes + i.held + i.inStripe;
  const moving = i.composing + i.inStripe;
  const waiting = i.held + i.waitingForTaxes;
  if (i.due === 0) return "No invoice fell due that day (yet).";
  if (run.finishedAt) return `Finished at ${time(run.finishedAt)}; ${run.sentPerMinute} sent per minute lately.`;
  const parts = [`${open} open`, `${run.sentPerMinute} sent per minute lately`];
  if (moving > 0) parts.push(run.estimatedEnd ? `at this pace the run ends at about ${time(run.estimatedEnd)}` : "no estimate: nothing was sent lately");
  if (waiting > 0) parts.push(`${waiting} ${waiting === 1 ? "waits" : "wait"} for a reconnect or the tax provider, not for the pace`);
  return `${parts.join("; ")}.`;
}

function renderAccounts(accounts) {
  const body = $("accounts").tBodies[0];
  if (accounts.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 12, class: "empty" }, "No account has invoices that day.")));
    return;
  }
  body.replaceChildren(...accounts.map((a) => el("tr", {},
    el("td", {}, a.accountId),
    el("td", {}, bar(a.invoices, `${a.accountId}`, true)),
    ...["due", "composing", "waitingForTaxes", "held", "inStripe", "sent", "failed", "nothingToBill"].map((n) => el("td", { class: "n" }, String(a.invoices[n]))),
    el("td", { class: "n" }, String(a.sentPerMinute)),
    el("td", {}, a.finishedAt ? `finished ${time(a.finishedAt)}` : a.estimatedEnd ? `≈ ${time(a.estimatedEnd)}` : "—"))));
}

function renderFailures(failures, total) {
  const body = $("failures").tBodies[0];
  $("failures-title").textContent = `Failed invoices (${total})`;
  if (failures.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 7, class: "empty" }, "None.")));
    return;
  }
  body.replaceChildren(...failures.map((f) => {
    const retry = el("button", { type: "button", "aria-label": `Retry ${f.accountId} ${f.tenantId} ${f.period}` }, "Retry");
    retry.addEventListener("click", () => retryInvoice(f, retry));
    return el("tr", {},
      el("td", {}, f.accountId), el("td", {}, f.tenantId), el("td", {}, f.period), el("td", {}, f.status.replace("_", " ")),
      el("td", { class: "reason" }, f.reason), el("td", {}, time(f.at)), el("td", {}, retry));
  }));
}

async function retryInvoice(failure, button) {
  if (busy) return;
  busy = true;
  button.disabled = true;
  try {
    const invoice = await api("POST", failure.retry);
    $("retry-result").textContent = `Retried ${failure.accountId} / ${failure.tenantId} / ${failure.period}: ${invoice.status.replace("_", " ")}.`;
  } catch (error) {
    $("retry-result").textContent = `Retry of ${failure.accountId} / ${failure.tenantId} / ${failure.period} refused: ${error.message}`;
    button.disabled = false;
  } finally {
    busy = false;
  }
  refresh();
}

// ---- drawing -------------------------------------------------------------------------------------------
/** A stacked bar of a run's stages. */
function bar(invoices, label, small) {
  const root = svg("svg", { class: small ? "bar small" : "bar", viewBox: "0 0 1000 10", preserveAspectRatio: "none", role: "img", "aria-label": label });
  root.append(svg("rect", { width: 1000, height: 10, fill: "#eceff1" }));
  let x = 0;
  for (const [name, stageLabel, colour] of STAGES) {
    const count = invoices[name];
    if (!count || invoices.due === 0) continue;
    const width = (count / invoices.due) * 1000;
    const part = svg("rect", { x, width, height: 10, fill: colour, "data-stage": name });
    part.append(svg("title", {}, `${stageLabel}: ${count}`));
    root.append(part);
    x += width;
  }
  return root;
}

/** Cumulative invoices sent per minute (line) over the minutes sent in (bars). */
function renderChart(minutes) {
  const holder = $("chart");
  if (minutes.length === 0) {
    holder.replaceChildren(el("p", { class: "empty" }, "Nothing sent yet."));
    return;
  }
  const W = 1000, H = 220, L = 50, R = 15, T = 12, B = 28;
  const first = Date.parse(minutes[0].minute), last = Date.parse(minutes[minutes.length - 1].minute) + 60000;
  const span = Math.max(last - first, 60000);
  let total = 0;
  const points = [[first, 0]];
  for (const m of minutes) { total += m.sent; points.push([Date.parse(m.minute) + 60000, total]); }
  const x = (t) => L + ((t - first) / span) * (W - L - R);
  const y = (v) => H - B - (v / total) * (H - T - B);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Invoices sent over time: ${total} in all` });
  for (const f of [0, 0.5, 1]) {
    root.append(svg("line", { class: "grid", x1: L, x2: W - R, y1: y(total * f), y2: y(total * f) }));
    root.append(svg("text", { x: L - 6, y: y(total * f) + 4, "text-anchor": "end" }, String(Math.round(total * f))));
  }
  const most = Math.max(...minutes.map((m) => m.sent));
  const barWidth = Math.max(2, (60000 / span) * (W - L - R) - 2);
  for (const m of minutes) {
    const height = (m.sent / most) * (H - T - B) * 0.35;
    const rect = svg("rect", { class: "perminute", x: x(Date.parse(m.minute)) + 1, y: H - B - height, width: barWidth, height });
    rect.append(svg("title", {}, `${time(m.minute)}: ${m.sent} sent`));
    root.append(rect);
  }
  root.append(svg("polyline", { class: "line", points: points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ") }));
  root.append(svg("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
  root.append(svg("text", { x: L, y: H - 8 }, time(new Date(first).toISOString())));
  root.append(svg("text", { x: W - R, y: H - 8, "text-anchor": "end" }, time(new Date(last).toISOString())));
  holder.replaceChildren(root);
}

function time(iso) { return `${iso.slice(11, 16)} UTC`; }

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

// ---- start ---------------------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  const asked = new URLSearchParams(location.search).get("date");
  $("date").value = /^\d{4}-\d{2}-\d{2}$/.test(asked ?? "") ? asked : new Date().toISOString().slice(0, 10);
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut());
  $("day-form").addEventListener("submit", (event) => {
    event.preventDefault();
    history.replaceState(null, "", `?date=${selectedDay()}`);
    refresh();
  });
  if (key()) show();
});
