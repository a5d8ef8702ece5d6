// The dashboard parts above the path (the "Today" screen): weekly goal and streak, due reviews,
// readiness per required skill, the four indicators (radar with last week's values), the method
// blend, and the knowledge map.
import { api, type Indicator, type LearningPath, type Method } from "../ipc";
import { methodName, pct, t, tr } from "../i18n";
import { h, withCode } from "../dom";
import { go, state } from "../app";
import { chart, palette } from "../charts";

const DIMS = ["knowledge", "skill", "attitude", "teamwork"] as const;

export function dimensionName(d: Indicator["dimension"]): string {
  switch (d) {
    case "knowledge": return t("dimKnowledge");
    case "skill": return t("dimSkill");
    case "attitude": return t("dimAttitude");
    case "teamwork": return t("dimTeamwork");
  }
}

const PART_KEYS = ["mastery", "simulation", "problem_solving", "simulation_accuracy", "simulation_efficiency", "regularity",
  "plan_adherence", "voluntary_practice", "persistence", "feedback_use", "participation", "reviews_given", "peer_rating"] as const;

export function partName(key: string): string {
  const k = PART_KEYS.find((x) => x === key);
  return k ? t(`part_${k}`) : key;
}

function trendText(trend: number | null): string {
  if (trend === null) return t("trendNone");
  const p = Math.round(trend * 100);
  if (p > 0) return t("trendUp", { p });
  if (p < 0) return t("trendDown", { p: -p });
  return t("trendFlat");
}

/** The four indicators: a radar (now and a week ago) and the same in words. */
export function indicatorsCard(ind: Indicator[]): HTMLElement {
  const now = DIMS.map((d) => ind.find((i) => i.dimension === d)?.value ?? 0);
  const before = DIMS.map((d) => {
    const i = ind.find((x) => x.dimension === d);
    return i && i.value !== null && i.trend !== null ? i.value - i.trend : null;
  });
  const series = [{ value: now.map((v) => Math.round(v * 100)), name: t("radarNow"), itemStyle: { color: palette.now }, areaStyle: { opacity: 0.15 } }];
  if (before.some((v) => v !== null)) {
    series.push({ value: before.map((v) => Math.round((v ?? 0) * 100)), name: t("radarWeekAgo"), itemStyle: { color: palette.before }, areaStyle: { opacity: 0.05 } });
  }
  const radar = chart("indicator-radar", t("radarLabel"), {
    tooltip: {},
    legend: { bottom: 0, data: series.map((s) => s.name) },
    radar: { indicator: DIMS.map((d) => ({ name: dimensionName(d), max: 100 })), radius: "62%" },
    series: [{ type: "radar", data: series, symbol: "circle" }],
  });
  const list = h("ul", { class: "indicators", id: "indicator-list" }, ...DIMS.map((d) => {
    const i = ind.find((x) => x.dimension === d)!;
    return h("li", { "data-dimension": d },
      h("strong", {}, dimensionName(d)), " ",
      h("span", { class: "indicator-value" }, i.value === null ? t("noEvidence") : `${pct(i.value)}%`), " ",
      h("span", { class: "muted" }, t("evidenceCount", { n: i.evidence }), " · ", trendText(i.trend)),
      h("p", { class: "indicator-explanation" }, tr(i.explanation)),
      h("details", {}, h("summary", {}, t("indicatorParts")),
        h("ul", {}, ...i.parts.map((p) => h("li", {}, `${partName(p.key)}: `, p.value === null ? t("noEvidence") : `${pct(p.value)}%`, h("span", { class: "muted" }, ` (${t("evidenceCount", { n: p.evidence })})`))))));
  }));
  return h("section", { class: "card", id: "indicators" },
    h("h2", {}, t("indicatorsTitle")),
    h("p", { class: "muted" }, ...withCode(t("indicatorsLead"), ["docs/indicators.md"])),
    h("div", { class: "two-col" }, radar, list));
}

export async function dashboardPanels(path: LearningPath): Promise<HTMLElement[]> {
  const learner = state.learner!;
  const [progress, profile, ind, blend, map] = await Promise.all([
    api.progress(learner.id),
    api.profile(learner.id),
    api.indicators(learner.id),
    api.methodBlend(learner.id),
    api.knowledgeMap(learner.id),
  ]);
  const out: HTMLElement[] = [];

  // This week: weekly goal, streak, due reviews.
  const due = path.steps.filter((s) => s.action === "review").length;
  const weekShare = Math.min(1, progress.minutes_this_week / Math.max(1, progress.weekly_minutes));
  out.push(h("section", { class: "card", id: "this-week" },
    h("h2", {}, t("thisWeekTitle")),
    h("div", { class: "stats" },
      h("div", { class: "stat", id: "weekly-goal" },
        h("meter", { min: 0, max: 1, value: weekShare, "aria-label": t("weeklyGoalLabel") }),
        h("span", {}, t("weeklyGoal", { done: Math.round(progress.minutes_this_week), goal: progress.weekly_minutes }))),
      h("div", { class: "stat", id: "streak" }, h("strong", {}, String(progress.streak_days)), " ", t("streakDays")),
      h("div", { class: "stat", id: "due-reviews" }, h("strong", {}, String(due)), " ", t("dueReviews")))));

  // Readiness for the goal role, per required skill.
  if (profile.goal) {
    const g = profile.goal;
    out.push(h("section", { class: "card", id: "readiness" },
      h("h2", {}, t("readinessTitle", { role: tr(g.title), p: pct(g.readiness) })),
      h("ul", { class: "readiness" }, ...g.requirements.map((r) => h("li", { "data-kp": r.kp },
        h("span", { class: "req-state" }, r.met ? "✓ " : "○ "),
        h("button", { type: "button", class: "link", onclick: () => void go({ name: "lesson", kp: r.kp }) }, tr(r.title)),
        " ",
        h("meter", { min: 0, max: 1, value: r.mastery, low: r.target * 0.7, high: r.target, optimum: 1, "aria-label": t("mastery", { p: pct(r.mastery) }) }),
        h("span", { class: "muted" }, t("readinessLine", { p: pct(r.mastery), t: pct(r.target), level: r.level })))))));
  }

  out.push(indicatorsCard(ind));

  // The method blend.
  out.push(h("section", { class: "card", id: "method-blend" },
    h("h2", {}, t("blendTitle")),
    h("p", { id: "blend-reason" }, tr(blend.reason)),
    h("ul", { class: "blend" }, ...blend.methods.map((m) => h("li", {},
      h("span", { class: "blend-name" }, methodName(m.method as Method)), " ",
      h("meter", { min: 0, max: 1, value: m.share, "aria-label": t("blendShare", { p: pct(m.share) }) }), " ",
      h("span", { class: "muted" }, t("blendLine", { p: pct(m.share), n: m.sessions })),
      m.preferred ? h("span", { class: "badge" }, t("preferred")) : null))),
    h("p", { class: "muted" }, t("blendLead"))));

  // The knowledge map: KPs as nodes (colour and symbol by state), prerequisites as edges.
  const symbol = (s: string) => (s === "mastered" ? "circle" : s === "learning" ? "diamond" : "emptyCircle");
  const colour = (s: string) => (s === "mastered" ? palette.mastered : s === "learning" ? palette.learning : palette.notStarted);
  const graph = chart("knowledge-map", t("mapLabel"), {
    tooltip: { formatter: (p: { data?: { name?: string; value?: number } }) => (p.data?.name ? `${p.data.name}: ${p.data.value ?? 0}%` : "") },
    series: [{
      type: "graph",
      layout: "force",
      roam: true,
      draggable: true,
      force: { repulsion: 120, edgeLength: 40, gravity: 0.12, layoutAnimation: false },
      edgeSymbol: ["none", "arrow"],
      edgeSymbolSize: 6,
      label: { show: true, position: "right", fontSize: 10, formatter: (p: { data: { short: string } }) => p.data.short },
      // Colour and symbol show the state (the text above says which); modules are in the list.
      data: map.nodes.map((n) => ({
        id: n.kp,
        name: tr(n.title),
        short: tr(n.title).length > 10 ? `${tr(n.title).slice(0, 10)}…` : tr(n.title),
        value: pct(n.mastery),
        symbol: symbol(n.state),
        symbolSize: n.required ? 16 : 10,
        itemStyle: { color: colour(n.state), borderColor: n.required ? palette.required : undefined, borderWidth: n.required ? 2 : 0 },
      })),
      links: map.edges.map(([from, to]) => ({ source: from, target: to })),
      lineStyle: { opacity: 0.5, curveness: 0.1 },
    }],
  }, (data) => {
    const id = (data as { id?: string } | undefined)?.id;
    if (id) void go({ name: "lesson", kp: id });
  });
  const stateName = (s: string) => (s === "mastered" ? t("mapMastered") : s === "learning" ? t("mapLearning") : t("mapNotStarted"));
  out.push(h("section", { class: "card", id: "knowledge-map-card" },
    h("h2", {}, t("mapTitle")),
    h("p", { class: "muted" }, t("mapLead")),
    graph,
    h("details", { id: "knowledge-map-text" }, h("summary", {}, t("mapAsList")),
      h("ul", {}, ...map.nodes.map((n) => h("li", {},
        h("button", { type: "button", class: "link", onclick: () => void go({ name: "lesson", kp: n.kp }) }, tr(n.title)),
        ` — ${stateName(n.state)}, ${pct(n.mastery)}%`, n.required ? ` (${t("mapRequired")})` : ""))))));
  return out;
}
