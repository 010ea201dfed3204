// awsflow's web timeline: three views chosen by the URL's fragment, drawn from the JSON API.
//   #/                         the domains
//   #/d/DOMAIN?status=&type=&since=&closeStatus=   the executions (open ones refresh live)
//   #/d/DOMAIN/e/WORKFLOW_ID?run=RUN_ID            one execution: banner, timeline, events
// Everything is built with DOM calls and textContent (never innerHTML): ids, names and payloads
// come from workflows and are shown as text.
"use strict";

const REFRESH_MS = 2000;
const SVG = "http://www.w3.org/2000/svg";
let refreshTimer = null;
let viewToken = 0; // a view's refresh stops drawing once another view is shown

// -- small helpers -------------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, options) {
  const response = await fetch(path, options);
  let body;
  try {
    body = await response.json();
  } catch (error) {
    throw new Error(`${response.status}: the server answered something other than JSON`);
  }
  if (!response.ok) throw new Error(`${body.error || response.status}: ${body.message || ""}`);
  return body;
}

function post(path, body) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

const enc = encodeURIComponent;

function time(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toISOString().replace("T", " ").replace("Z", "").slice(0, 23);
}

function seconds(value) {
  if (value === null || value === undefined) return "–";
  if (value < 60) return `${value.toFixed(value < 10 ? 2 : 1)}s`;
  const m = Math.floor(value / 60);
  const s = Math.round(value % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

function showStatus(text, isError) {
  const node = document.getElementById("status");
  node.textContent = text || "";
  node.className = isError ? "error" : "muted";
}

function crumbs(...items) {
  const nav = document.getElementById("crumbs");
  nav.replaceChildren(...items.map(([label, href]) => (href ? el("a", { href }, label) : el("span", {}, label))));
}

function statusBadge(status) {
  return el("span", { class: `badge status-${String(status).toLowerCase()}` }, status);
}

// -- routing -------------------------------------------------------------------------------------
function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(search || "") };
}

async function route() {
  clearTimeout(refreshTimer);
  const token = ++viewToken;
  const { parts, params } = parseHash();
  const view = document.getElementById("view");
  try {
    if (parts[0] === "d" && parts.length === 2) await executionsView(view, parts[1], params, token);
    else if (parts[0] === "d" && parts[2] === "e" && parts.length === 4)
      await executionView(view, parts[1], parts[3], params.get("run"), token);
    else await domainsView(view, token);
    showStatus("");
  } catch (error) {
    if (token !== viewToken) return;
    view.replaceChildren(el("p", { class: "error", id: "load-error" }, String(error.message || error)));
    showStatus("");
  }
}

function refreshLater(token, again) {
  if (token !== viewToken) return;
  refreshTimer = setTimeout(async () => {
    if (token !== viewToken) return;
    try {
      await again();
      showStatus(`refreshed ${new Date().toLocaleTimeString()}`);
    } catch (error) {
      showStatus(`refresh failed: ${error.message}`, true);
    }
    refreshLater(token, again);
  }, REFRESH_MS);
}

// -- the domains ---------------------------------------------------------------------------------
async function domainsView(view, token) {
  const answer = await api("/api/domains");
  if (token !== viewToken) return;
  if (answer.defaultDomain && !location.hash) {
    location.hash = `#/d/${enc(answer.defaultDomain)}`;
    return;
  }
  crumbs(["domains"]);
  const rows = answer.domains.map((d) =>
    el("tr", {}, el("td", {}, el("a", { href: `#/d/${enc(d.name)}` }, d.name)), el("td", {}, d.status),
      el("td", {}, d.description)),
  );
  view.replaceChildren(
    el("h1", {}, "Domains"),
    rows.length
      ? el("table", { id: "domains" }, el("thead", {}, el("tr", {}, el("th", {}, "Domain"), el("th", {}, "Status"),
          el("th", {}, "Description"))), el("tbody", {}, rows))
      : el("p", { class: "muted" }, "No registered domains."),
  );
}

// -- the executions ------------------------------------------------------------------------------
const SINCE = { "": "any time", "1h": "last hour", "1d": "last day", "7d": "last 7 days", "30d": "last 30 days" };
const SINCE_MS = { "1h": 3600e3, "1d": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3 };
const CLOSE_STATUSES = ["COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"];

async function executionsView(view, domain, params, token) {
  crumbs(["domains", "#/"], [domain]);
  const filters = {
    status: params.get("status") || "all",
    type: params.get("type") || "",
    since: params.get("since") || "",
    closeStatus: params.get("closeStatus") || "",
  };
  const apply = () => {
    const form = document.getElementById("filters");
    const next = new URLSearchParams();
    for (const name of ["status", "type", "since", "closeStatus"]) {
      const value = form.elements[name].value;
      if (value) next.set(name, value);
    }
    location.hash = `#/d/${enc(domain)}?${next}`;
  };
  const select = (name, options) =>
    el("select", { name, onchange: apply }, Object.entries(options).map(([value, label]) =>
      el("option", { value, selected: filters[name] === value }, label)));
  const form = el("form", { id: "filters", class: "filters", onsubmit: (e) => { e.preventDefault(); apply(); } },
    el("label", {}, "Status ", select("status", { all: "open and closed", open: "open", closed: "closed" })),
    el("label", {}, "Closed as ", select("closeStatus", Object.fromEntries([["", "any"], ...CLOSE_STATUSES.map((s) => [s, s])]))),
    el("label", {}, "Type ", el("input", { name: "type", value: filters.type, placeholder: "workflow type name" })),
    el("label", {}, "Started ", select("since", SINCE)),
    el("button", { type: "submit" }, "Filter"),
  );
  const body = el("tbody");
  const note = el("p", { class: "muted" });
  view.replaceChildren(el("h1", {}, `Executions in ${domain}`), form,
    el("table", { id: "executions" }, el("thead", {}, el("tr", {}, ...["Workflow id", "Run id", "Type", "Status",
      "Started", "Closed"].map((h) => el("th", {}, h)))), body), note);

  const load = async () => {
    const query = new URLSearchParams({ status: filters.status, limit: "200" });
    if (filters.type) query.set("type", filters.type);
    if (filters.closeStatus) query.set("closeStatus", filters.closeStatus);
    if (SINCE_MS[filters.since]) query.set("since", new Date(Date.now() - SINCE_MS[filters.since]).toISOString());
    const answer = await api(`/api/domains/${enc(domain)}/executions?${query}`);
    if (token !== viewToken) return answer;
    body.replaceChildren(...answer.executions.map((info) => {
      const { workflowId, runId } = info.execution;
      const href = `#/d/${enc(domain)}/e/${enc(workflowId)}?run=${enc(runId)}`;
      return el("tr", { class: "execution-row" },
        el("td", {}, el("a", { href }, workflowId)), el("td", { class: "mono" }, runId),
        el("td", {}, `${info.workflowType.name} ${info.workflowType.version}`),
        el("td", {}, statusBadge(info.closeStatus || info.executionStatus)),
        el("td", {}, time(info.startTimestamp)), el("td", {}, time(info.closeTimestamp)));
    }));
    note.textContent = answer.executions.length === 0 ? "No executions match."
      : answer.more ? `Showing the first ${answer.executions.length}; narrow the filters for the rest.` : "";
    return answer;
  };
  await load();
  if (filters.status !== "closed") refreshLater(token, load); // open ones change: keep them live
}

// -- one execution -------------------------------------------------------------------------------
async function executionView(view, domain, workflowId, runId, token) {
  const path = `/api/domains/${enc(domain)}/executions/${enc(workflowId)}`;
  let drawn = null; // what the page shows: redrawn only when the history grew or the status changed,
  // so that a refresh keeps the reader's place, open stacks and highlighted rows
  const load = async () => {
    const answer = await api(runId ? `${path}?runId=${enc(runId)}` : path);
    const shown = `${answer.execution.status} ${answer.execution.history_length}`;
    if (token === viewToken && shown !== drawn) {
      const scrolled = window.scrollY;
      drawExecution(view, domain, path, answer);
      window.scrollTo(0, scrolled);
      drawn = shown;
    }
    return answer;
  };
  const first = await load();
  if (first.execution.status === "OPEN") {
    refreshLater(token, async () => {
      const answer = await load();
      if (answer.execution.status !== "OPEN") clearTimeout(refreshTimer);
    });
  }
}

function drawExecution(view, domain, path, answer) {
  const ex = answer.execution;
  const { workflow_id: workflowId, run_id: runId } = ex.execution;
  crumbs(["domains", "#/"], [domain, `#/d/${enc(domain)}`], [workflowId]);
  const open = ex.status === "OPEN";
  const facts = [
    ["Type", `${ex.workflow_type[0]} ${ex.workflow_type[1]}`],
    ["Run id", runId],
    ["Started", time(ex.started_at)],
    ["Closed", time(ex.closed_at)],
    ["Task list", ex.task_list],
    ["Events", ex.history_length],
    ["Open", `${ex.open_counts.activity_tasks} activities, ${ex.open_counts.timers} timers, ` +
      `${ex.open_counts.child_workflow_executions} children`],
  ];
  const actions = open
    ? el("div", { class: "actions" },
        el("button", { id: "do-signal", onclick: () => confirmAction(path, runId, "signal", workflowId) }, "Signal…"),
        el("button", { id: "do-cancel", onclick: () => confirmAction(path, runId, "cancel", workflowId) }, "Request cancel…"),
        el("button", { id: "do-terminate", class: "danger",
          onclick: () => confirmAction(path, runId, "terminate", workflowId) }, "Terminate…"))
    : null;
  view.replaceChildren(...[
    el("h1", {}, workflowId, " ", statusBadge(ex.status), ex.cancel_requested ? el("span", { class: "badge" }, "cancel requested") : null),
    answer.failure ? banner(answer.failure) : null,
    el("dl", { class: "facts" }, facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "–")])),
    actions,
    el("h2", {}, "Timeline"),
    timelineView(answer.timeline),
    el("h2", {}, "Events"),
    eventTable(answer.events),
  ].filter(Boolean));
}

function banner(failure) {
  return el("div", { class: "banner", id: "failure-banner", role: "alert" },
    el("strong", {}, failure.summary),
    failure.nextRetryAt ? el("div", {}, `next retry at ${time(failure.nextRetryAt)}`) : null,
    failure.stack ? el("details", {}, el("summary", {}, "stack"), el("pre", {}, failure.stack)) : null);
}

// -- the timeline (SVG) ----------------------------------------------------------------------------
const LABEL_W = 260;
const LANE_H = 24;
const DECISION_H = 10;

function timelineView(timeline) {
  const width = Math.max(600, (document.getElementById("view").clientWidth || 1200) - 16);
  const plotW = width - LABEL_W - 40;
  const ended = timeline.closed ? timeline.duration
    : Math.max(timeline.duration, (Date.now() - Date.parse(timeline.startedAt || new Date())) / 1000);
  const span = Math.max(ended, 0.001);
  const x = (offset) => LABEL_W + (Math.min(Math.max(offset, 0), span) / span) * plotW;
  const rows = [{ label: "decision tasks", bars: timeline.decisions, thin: true, key: "decisions" },
    ...timeline.lanes.map((lane) => ({ label: lane.label, bars: lane.bars, key: lane.key }))];
  const pointsY = 30 + DECISION_H + 10 + timeline.lanes.length * LANE_H + 8;
  const height = pointsY + 30;
  const root = svg("svg", { id: "timeline", class: "timeline", width, height, viewBox: `0 0 ${width} ${height}` });
  // the axis: five ticks
  for (let i = 0; i <= 4; i += 1) {
    const tx = LABEL_W + (plotW * i) / 4;
    root.append(svg("line", { x1: tx, x2: tx, y1: 18, y2: height - 4, class: "tick" }),
      svg("text", { x: tx, y: 12, class: "tick-label", "text-anchor": i === 4 ? "end" : i === 0 ? "start" : "middle" }, document.createTextNode(seconds((span * i) / 4))));
  }
  let y = 30;
  for (const row of rows) {
    const h = row.thin ? DECISION_H : LANE_H;
    const lane = svg("g", { class: `lane${row.thin ? " lane-decisions" : ""}`, "data-lane": row.key });
    lane.append(svg("text", { x: 4, y: y + h / 2 + 4, class: "lane-label" }, document.createTextNode(clip(row.label, 38))));
    for (const bar of row.bars) lane.append(barView(bar, x, y, h, row.thin, ended));
    root.append(lane);
    y += h + (row.thin ? 10 : 0);
  }
  root.append(svg("text", { x: 4, y: pointsY + 12, class: "lane-label" }, document.createTextNode("signals & markers")));
  for (const point of timeline.points) {
    const px = x(point.offset);
    const title = svg("title", {}, document.createTextNode(`${point.kind} ${point.name} at ${time(point.at)} (event ${point.eventId})`));
    const shape = point.kind === "signal"
      ? svg("circle", { cx: px, cy: pointsY + 8, r: 6 })
      : svg("path", { d: `M ${px} ${pointsY} l 7 8 l -7 8 l -7 -8 z` });
    const g = svg("g", { class: `point point-${point.kind}`, "data-event": point.eventId }, shape, title);
    g.addEventListener("click", () => highlight([point.eventId]));
    root.append(g);
  }
  return el("div", { class: "timeline-box" }, root, legend());
}

function barView(bar, x, y, h, thin, ended) {
  const start = x(bar.scheduledOffset);
  const end = x(bar.closedOffset ?? ended);
  const g = svg("g", { class: `bar bar-${bar.kind} outcome-${bar.outcome}`, "data-kind": bar.kind,
    "data-outcome": bar.outcome, "data-id": bar.id, "data-events": bar.eventIds.join(" ") });
  const pad = thin ? 0 : 4;
  if (bar.startedOffset !== null && bar.startedOffset > bar.scheduledOffset && !thin) {
    g.append(svg("rect", { x: start, y: y + pad, width: Math.max(x(bar.startedOffset) - start, 1),
      height: h - 2 * pad, class: "waiting" }));
  }
  const from = bar.startedOffset !== null && !thin ? x(bar.startedOffset) : start;
  g.append(svg("rect", { x: from, y: y + pad, width: Math.max(end - from, 3), height: h - 2 * pad,
    rx: thin ? 0 : 3, class: "body" }));
  const what = bar.kind === "decision" ? "decision task" : `${bar.kind} ${bar.name} (${bar.id})`;
  const took = bar.closedOffset !== null ? seconds(bar.closedOffset - bar.scheduledOffset) : "still open";
  g.append(svg("title", {}, document.createTextNode(
    `${what}, attempt ${bar.attempt}: ${bar.outcome}${bar.detail ? ` (${bar.detail})` : ""}, ${took}`)));
  g.addEventListener("click", () => highlight(bar.eventIds));
  return g;
}

function legend() {
  const outcomes = ["completed", "fired", "failed", "timed_out", "canceled", "terminated", "open"];
  return el("div", { class: "legend" }, outcomes.map((o) => el("span", { class: `key outcome-${o}` }, o.replace("_", " "))),
    el("span", { class: "key waiting-key" }, "waiting for a worker"));
}

function clip(text, most) {
  return text.length > most ? `${text.slice(0, most - 1)}…` : text;
}

function highlight(eventIds) {
  document.querySelectorAll("tr.highlight").forEach((row) => row.classList.remove("highlight"));
  let first = null;
  for (const id of eventIds) {
    const row = document.getElementById(`event-${id}`);
    if (row) {
      row.classList.add("highlight");
      first = first || row;
    }
  }
  if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
}

// -- the event table -------------------------------------------------------------------------------
const SHOWN_KEYS = ["activityType", "workflowType", "activityId", "timerId", "startToFireTimeout", "markerName",
  "signalName", "workflowId", "timeoutType", "cause", "reason", "identity", "scheduledEventId", "startedEventId",
  "initiatedEventId"];

function eventTable(events) {
  const rows = events.map((event) => {
    const trouble = /Failed|TimedOut|Terminated|Canceled/.test(event.type);
    const details = el("div", { class: "details" });
    for (const key of SHOWN_KEYS) {
      const value = event.attributes[key];
      if (value === undefined || value === null || value === "") continue;
      const text = typeof value === "object" ? (value.name ? `${value.name} ${value.version || ""}` : JSON.stringify(value)) : String(value);
      details.append(el("span", { class: "kv" }, el("b", {}, key), " ", text));
    }
    for (const [key, decoded] of Object.entries(event.decoded)) {
      const compact = JSON.stringify(decoded.value);
      const text = "undecodable" in decoded ? `(undecodable: ${decoded.error}) ${decoded.undecodable}`
        : compact.length > 100 ? JSON.stringify(decoded.value, null, 1) : compact;
      details.append(el("div", { class: "payload" }, el("b", {}, key), el("pre", {}, clip(text, 4000))));
    }
    return el("tr", { id: `event-${event.id}`, class: `event-row${trouble ? " trouble" : ""}`, "data-type": event.type },
      el("td", { class: "num" }, event.id), el("td", { class: "mono" }, time(event.time)),
      el("td", { class: "num" }, `+${seconds(event.offset)}`), el("td", {}, event.type), el("td", {}, details));
  });
  return el("table", { id: "events", class: "events" },
    el("thead", {}, el("tr", {}, ...["#", "Time (UTC)", "Since start", "Type", "Details"].map((h) => el("th", {}, h)))),
    el("tbody", {}, rows));
}

// -- signal / cancel / terminate, behind a confirmation ---------------------------------------------
function confirmAction(path, runId, action, workflowId) {
  const dialog = document.getElementById("confirm");
  const fields = document.getElementById("confirm-fields");
  const error = document.getElementById("confirm-error");
  error.textContent = "";
  const titles = { signal: "Send a signal", cancel: "Request cancellation", terminate: "Terminate" };
  const texts = {
    signal: `Send a signal to ${workflowId}. Its workflow code handles it at its next decision.`,
    cancel: `Ask SWF to cancel ${workflowId}. Its workflow code is told and may clean up.`,
    terminate: `Terminate ${workflowId} now. Its workflow code is not told; this cannot be undone.`,
  };
  document.getElementById("confirm-title").textContent = titles[action];
  document.getElementById("confirm-text").textContent = texts[action];
  const inputs = {
    signal: [["name", "Signal name", ""], ["input", "Arguments (JSON array)", "[]"]],
    cancel: [],
    terminate: [["reason", "Reason", ""], ["details", "Details", ""]],
  }[action];
  fields.replaceChildren(...inputs.map(([name, label, value]) =>
    el("label", {}, label, el("input", { name, value, id: `confirm-${name}` }))));
  dialog.onclose = async () => {
    if (dialog.returnValue !== "ok") return;
    const body = { runId };
    for (const [name] of inputs) body[name] = dialog.querySelector(`[name=${name}]`).value;
    try {
      if (action === "signal") {
        if (!body.name) throw new Error("a signal needs a name");
        try {
          body.input = JSON.parse(body.input || "[]");
        } catch (parse) {
          throw new Error(`the arguments are not JSON: ${parse.message}`);
        }
      }
      await post(`${path}/${action}`, body);
      showStatus(`${action}: done`);
      route();
    } catch (failure) {
      error.textContent = failure.message;
      dialog.showModal();
    }
  };
  dialog.returnValue = "";
  dialog.showModal();
}

window.addEventListener("hashchange", route);
route();
