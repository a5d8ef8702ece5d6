// Group work (F11): the learner's group tasks, handing in a part, the peer-review form.
import "./sims.css";
import { api, isAppError, type GroupMember, type GroupTask, type KnowledgeMap, type Learner } from "../ipc";
import { getLocale, t, tr, type Key } from "../i18n";
import { clear, h } from "../dom";
import { state, view } from "../app";

/** What the learner typed and has not saved yet, by field, so a re-render (a saved form, a
 * language switch) never loses it. Keys start with the learner id. */
const drafts = new Map<string, string>();

const errorText = (e: unknown): string => (isAppError(e) ? e.message : String(e));
const CRITERIA: { name: "contribution" | "quality" | "communication"; label: Key }[] = [
  { name: "contribution", label: "groupCritContribution" },
  { name: "quality", label: "groupCritQuality" },
  { name: "communication", label: "groupCritCommunication" },
];
const RATINGS: Key[] = ["groupRate1", "groupRate2", "groupRate3", "groupRate4", "groupRate5"];
const DEFAULT_ROLES: Key[] = ["roleAnalyst", "roleWriter", "roleReviewer", "rolePresenter"];

/** Keeps `el`'s value in `drafts` under `key` (restored from there when it is rendered again). */
function drafted<E extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(el: E, key: string, initial: string): E {
  el.value = drafts.get(key) ?? initial;
  const save = (): void => { drafts.set(key, el.value); };
  el.addEventListener("input", save);
  el.addEventListener("change", save);
  return el;
}

/** The page-wide status line, shown and announced (it stays in place when a task's card is
 * re-rendered). */
function announce(text: string): void {
  const live = document.getElementById("group-status");
  if (!live) return;
  live.textContent = "";
  // A fresh text node so the same message twice is announced twice.
  window.setTimeout(() => { live.textContent = text; }, 30);
}

export async function renderGroups(): Promise<void> {
  const learner = state.learner!;
  const [tasks, map, learners] = await Promise.all([api.groupTasks(learner.id), api.knowledgeMap(learner.id), api.learners()]);
  clear(view);
  const section = h("section", { class: "card", id: "group-tasks" },
    h("h1", { id: "groups-title", tabindex: -1 }, t("groupsTitle")),
    h("p", { class: "muted", id: "groups-lead" }, t("groupsLead")),
    h("p", { class: "group-status notice", id: "group-status", role: "status" }));
  if (!tasks.length) section.append(h("p", { id: "no-group-tasks", class: "notice" }, t("groupsEmpty")));
  for (const task of tasks) section.append(taskCard(learner, task));
  view.append(section, newTaskForm(learner, map, learners));
}

function taskCard(learner: Learner, task: GroupTask): HTMLElement {
  const me = task.members.find((m) => m.learner_id === learner.id);
  const titleId = `group-task-title-${task.id}`;
  const prompt = h("div", { class: "group-prompt", lang: getLocale() });
  prompt.innerHTML = tr(task.prompt_html); // sanitized in Rust (ammonia)
  const created = new Date(task.created_at);
  const card: HTMLElement = h("article", { class: "group-task", "data-task": task.id, "aria-labelledby": titleId },
    h("h2", { id: titleId }, task.title),
    h("p", { class: "muted group-meta" },
      h("span", { class: "group-kp" }, t("groupTopic", { kp: tr(task.kp_title) })),
      Number.isNaN(created.getTime()) ? null : h("span", {}, " · ", t("groupCreatedOn", { date: created.toLocaleDateString(getLocale(), { year: "numeric", month: "short", day: "numeric" }) }))),
    prompt,
    h("h3", {}, t("groupMembers")),
    h("ul", { class: "group-members" }, ...task.members.map((m) => h("li", { "data-member": m.learner_id, class: m.submitted ? "handed-in" : "pending" },
      t("groupMemberLine", { name: m.name, role: m.role }),
      m.learner_id === learner.id ? " " + t("groupYou") : "",
      " — ",
      h("span", { class: "group-state" }, m.submitted ? t("groupHandedIn") : t("groupNotHandedIn"))))));
  const replace = (next: GroupTask): HTMLElement => {
    const fresh = taskCard(learner, next);
    card.replaceWith(fresh);
    return fresh;
  };
  if (me) card.append(contributionForm(learner, task, me, replace));
  card.append(peerReviews(learner, task, replace));
  return card;
}

function contributionForm(learner: Learner, task: GroupTask, me: GroupMember, replace: (t: GroupTask) => HTMLElement): HTMLElement {
  const key = `${learner.id}:c:${task.id}`;
  const id = `contribution-${task.id}`;
  const area = drafted(h("textarea", { id, class: "contribution-text", rows: 6, maxlength: 8000 }), key, me.contribution ?? "");
  const msg = h("p", { class: "form-error", role: "alert" });
  const button = h("button", { type: "button", class: "submit-contribution primary" }, me.submitted ? t("groupUpdatePart") : t("groupHandIn"));
  button.addEventListener("click", () => void (async () => {
    if (!area.value.trim()) {
      msg.textContent = t("groupNeedText");
      area.focus();
      return;
    }
    button.disabled = true;
    msg.textContent = "";
    try {
      const next = await api.submitContribution(learner.id, task.id, area.value);
      drafts.delete(key);
      const fresh = replace(next);
      fresh.querySelector<HTMLElement>(".group-ok-contribution")!.textContent = t("groupHandedInOk");
      fresh.querySelector<HTMLButtonElement>(".submit-contribution")?.focus();
      announce(t("groupHandedInOk"));
    } catch (e) {
      button.disabled = false;
      msg.textContent = errorText(e);
    }
  })());
  return h("section", { class: "group-mine" },
    h("h3", {}, t("groupYourPart", { role: me.role })),
    me.peer_rating !== null ? h("p", { class: "muted group-rating" }, t("groupYourRating", { r: me.peer_rating.toFixed(1) })) : null,
    h("label", { for: id }, t("groupContributionLabel")),
    area,
    h("div", { class: "group-actions" }, button, h("span", { class: "group-ok group-ok-contribution", "aria-hidden": "true" })),
    msg);
}

function peerReviews(learner: Learner, task: GroupTask, replace: (t: GroupTask) => HTMLElement): HTMLElement {
  const peers = task.members.filter((m) => m.learner_id !== learner.id && m.submitted);
  const out = h("section", { class: "group-reviews" }, h("h3", {}, t("groupReviewTitle")));
  if (!peers.length) {
    out.append(h("p", { class: "muted" }, t("groupNoPeers")));
    return out;
  }
  for (const peer of peers) out.append(reviewBlock(learner, task, peer, replace));
  return out;
}

function reviewBlock(learner: Learner, task: GroupTask, peer: GroupMember, replace: (t: GroupTask) => HTMLElement): HTMLElement {
  const base = `review-${task.id}-${peer.learner_id}`;
  const key = `${learner.id}:r:${task.id}:${peer.learner_id}`;
  const reviewed = task.reviewed.includes(peer.learner_id);
  const selects = CRITERIA.map((c) => {
    const id = `${base}-${c.name}`;
    const select = drafted(h("select", { id, name: c.name },
      ...RATINGS.map((r, i) => h("option", { value: i + 1 }, t(r)))), `${key}:${c.name}`, "3");
    return { name: c.name, select, row: h("div", { class: "review-field" }, h("label", { for: id }, t(c.label)), select) };
  });
  const commentId = `${base}-comment`;
  const comment = drafted(h("textarea", { id: commentId, name: "comment", rows: 2, maxlength: 2000 }), `${key}:comment`, "");
  const msg = h("p", { class: "form-error", role: "alert" });
  const send = h("button", { type: "submit", class: "send-review" }, reviewed ? t("groupUpdateReview") : t("groupSendReview"));
  const form = h("form", { class: "peer-review-form", "data-reviewee": peer.learner_id },
    h("fieldset", {},
      h("legend", { id: `${base}-legend` }, t("groupReviewLegend", { name: peer.name })),
      reviewed ? h("p", { class: "muted group-reviewed" }, t("groupReviewed", { name: peer.name })) : null,
      ...selects.map((s) => s.row),
      h("div", { class: "review-field wide" }, h("label", { for: commentId }, t("groupComment")), comment),
      h("div", { class: "group-actions" }, send, h("span", { class: "group-ok group-ok-review", "aria-hidden": "true" })),
      msg));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = (name: string): number => Number(selects.find((s) => s.name === name)!.select.value);
    send.disabled = true;
    msg.textContent = "";
    void (async () => {
      try {
        const next = await api.peerReview(learner.id, task.id, {
          reviewee_id: peer.learner_id,
          contribution: value("contribution"),
          quality: value("quality"),
          communication: value("communication"),
          comment: comment.value,
        });
        // The scores stay as sent (so "Update review" starts from them); the comment is done.
        drafts.delete(`${key}:comment`);
        for (const s of selects) drafts.set(`${key}:${s.name}`, s.select.value);
        const fresh = replace(next);
        const again = fresh.querySelector<HTMLElement>(`.peer-review-form[data-reviewee="${peer.learner_id}"]`);
        const ok = again?.querySelector<HTMLElement>(".group-ok-review");
        if (ok) ok.textContent = t("groupReviewOk", { name: peer.name });
        again?.querySelector<HTMLButtonElement>(".send-review")?.focus();
        announce(t("groupReviewOk", { name: peer.name }));
      } catch (e) {
        send.disabled = false;
        msg.textContent = errorText(e);
      }
    })();
  });
  const text = h("blockquote", { class: "group-contribution" }, peer.contribution ?? "");
  return h("div", { class: "group-peer", "data-member": peer.learner_id },
    h("h4", {}, t("groupPeerPart", { name: peer.name, role: peer.role })),
    text,
    form);
}

/** The teacher's form: a title, a KP and 2–8 learners with roles. */
function newTaskForm(me: Learner, map: KnowledgeMap, learners: Learner[]): HTMLElement {
  const k = `${me.id}:new:`;
  const details = h("details", { class: "card", id: "new-group-task" }, h("summary", {}, t("groupNewTitle")));
  details.open = drafts.get(`${k}open`) === "1";
  details.addEventListener("toggle", () => { drafts.set(`${k}open`, details.open ? "1" : "0"); });
  details.append(h("p", { class: "muted" }, t("groupNewLead")));
  if (learners.length < 2) {
    details.append(h("p", { class: "notice" }, t("groupFewLearners")));
    return details;
  }
  const title = drafted(h("input", { id: "group-task-title", name: "title", maxlength: 120, autocomplete: "off" }), `${k}title`, "");
  const moduleTitle = new Map(map.modules.map(([id, text]) => [id, tr(text)]));
  const groups = new Map<string, HTMLOptGroupElement>();
  const kp = h("select", { id: "group-task-kp", name: "kp" });
  for (const n of map.nodes) {
    let group = groups.get(n.module);
    if (!group) {
      group = h("optgroup", { label: moduleTitle.get(n.module) ?? n.module });
      groups.set(n.module, group);
      kp.append(group);
    }
    group.append(h("option", { value: n.kp }, tr(n.title)));
  }
  drafted(kp, `${k}kp`, map.nodes[0]?.kp ?? "");

  const rows = learners.map((l, i) => {
    const pickId = `group-member-${l.id}`;
    const roleId = `group-role-${l.id}`;
    const pick = h("input", { type: "checkbox", id: pickId, class: "member-pick", "data-learner": l.id });
    pick.checked = (drafts.get(`${k}pick:${l.id}`) ?? (l.id === me.id ? "1" : "0")) === "1";
    pick.addEventListener("change", () => { drafts.set(`${k}pick:${l.id}`, pick.checked ? "1" : "0"); });
    const role = h("input", { id: roleId, class: "member-role", maxlength: 60, autocomplete: "off" });
    // An untouched role follows the language; a typed one is kept as typed.
    role.value = drafts.get(`${k}role:${l.id}`) ?? t(DEFAULT_ROLES[i % DEFAULT_ROLES.length]);
    role.addEventListener("input", () => { drafts.set(`${k}role:${l.id}`, role.value); });
    return {
      learner: l, pick, role,
      row: h("div", { class: "member-row", "data-learner": l.id },
        h("span", { class: "member-pick-cell" }, pick, h("label", { for: pickId }, l.name)),
        h("span", { class: "member-role-cell" }, h("label", { for: roleId, class: "sims-sr-only" }, t("groupNewRole", { name: l.name })), role)),
    };
  });
  const msg = h("p", { class: "form-error", role: "alert", id: "new-group-task-error" });
  const create = h("button", { type: "submit", class: "primary", id: "create-group-task" }, t("groupCreate"));
  const form = h("form", { id: "new-group-task-form", class: "group-new-form" },
    h("div", { class: "review-field wide" }, h("label", { for: "group-task-title" }, t("groupNewTaskTitle")), title),
    h("div", { class: "review-field wide" }, h("label", { for: "group-task-kp" }, t("groupNewKp")), kp),
    h("fieldset", { class: "member-picker" }, h("legend", {}, t("groupNewMembers")), ...rows.map((r) => r.row)),
    create,
    msg);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const chosen = rows.filter((r) => r.pick.checked);
    if (!title.value.trim()) { msg.textContent = t("groupNeedTitle"); title.focus(); return; }
    if (chosen.length < 2 || chosen.length > 8) { msg.textContent = t("groupNeedMembers"); (chosen[0]?.pick ?? rows[0].pick).focus(); return; }
    const noRole = chosen.find((r) => !r.role.value.trim());
    if (noRole) { msg.textContent = t("groupNeedRoles"); noRole.role.focus(); return; }
    create.disabled = true;
    msg.textContent = "";
    void (async () => {
      try {
        const task = await api.createGroupTask({
          kp: kp.value,
          title: title.value.trim(),
          members: chosen.map((r) => ({ learner_id: r.learner.id, role: r.role.value.trim() })),
        });
        for (const key of [...drafts.keys()]) if (key.startsWith(k)) drafts.delete(key);
        await renderGroups();
        const status = t("groupCreateOk", { title: task.title });
        const created = document.querySelector<HTMLElement>(`.group-task[data-task="${task.id}"] h2`);
        if (created) {
          created.tabIndex = -1;
          created.focus();
        } else {
          document.getElementById("groups-title")?.focus();
        }
        announce(status);
      } catch (e) {
        create.disabled = false;
        msg.textContent = errorText(e);
      }
    })();
  });
  details.append(form);
  return details;
}
