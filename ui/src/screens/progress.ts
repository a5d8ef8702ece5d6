// Progress and report: mastery by module, study time per week, the indicators over time, and
// the current indicators — one printable page (print to PDF from the print dialog).
import { api } from "../ipc";
import { pct, t, tr } from "../i18n";
import { h } from "../dom";
import { state, view } from "../app";
import { chart, palette } from "../charts";
import { dimensionName, indicatorsCard } from "./dashboard";

export async function renderProgress(): Promise<void> {
  const learner = state.learner!;
  const [p, ind, profile] = await Promise.all([api.progress(learner.id), api.indicators(learner.id), api.profile(learner.id)]);
  const modules = chart("module-mastery", t("moduleChartLabel"), {
    tooltip: {},
    grid: { left: 160, right: 24, top: 8, bottom: 24 },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", inverse: true, data: p.modules.map((m) => tr(m.title)) },
    series: [{ type: "bar", data: p.modules.map((m) => pct(m.mastery)), itemStyle: { color: palette.now }, label: { show: true, position: "right", formatter: "{c}%" } }],
  });
  const weeks = chart("weekly-minutes", t("weeksChartLabel"), {
    tooltip: {},
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    xAxis: { type: "category", data: p.weeks.map((w) => w.week.slice(5)) },
    yAxis: { type: "value", name: t("minutesAxis") },
    series: [
      { type: "bar", data: p.weeks.map((w) => Math.round(w.minutes)), itemStyle: { color: palette.now } },
      { type: "line", data: p.weeks.map(() => p.weekly_minutes), symbol: "none", lineStyle: { type: "dashed", color: palette.before }, name: t("weeklyBudget") },
    ],
  });
  const dims = ["knowledge", "skill", "attitude", "teamwork"] as const;
  const dash = ["solid", "dashed", "dotted", "dashed"] as const;
  const trend = chart("indicator-trend", t("trendChartLabel"), {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 48 },
    xAxis: { type: "category", data: p.indicators.map((x) => x.at.slice(5)) },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: dims.map((d, i) => ({
      type: "line",
      name: dimensionName(d),
      connectNulls: false,
      symbol: ["circle", "rect", "triangle", "diamond"][i],
      lineStyle: { type: dash[i] },
      data: p.indicators.map((x) => (x[d] === null ? null : pct(x[d] as number))),
    })),
  });
  const table = h("table", { class: "report-table", id: "module-table" },
    h("caption", {}, t("moduleTableCaption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("moduleCol")), h("th", { scope: "col" }, t("masteryCol")), h("th", { scope: "col" }, t("masteredCol")))),
    h("tbody", {}, ...p.modules.map((m) => h("tr", {}, h("th", { scope: "row" }, tr(m.title)), h("td", {}, `${pct(m.mastery)}%`), h("td", {}, `${m.mastered} / ${m.kps}`)))));
  view.replaceChildren(
    h("section", { class: "card", id: "progress" },
      h("h1", { id: "progress-title", tabindex: -1 }, t("progressTitle"), h("span", { "data-lang-free": true }, learner.name)),
      h("p", { class: "muted" }, t("progressMeta", {
        date: new Date().toISOString().slice(0, 10),
        minutes: Math.round(p.total_minutes),
        answers: p.answers,
        streak: p.streak_days,
      })),
      profile.goal ? h("p", {}, t("readinessTitle", { role: tr(profile.goal.title), p: pct(profile.goal.readiness) })) : null,
      h("p", { id: "own-words" }, t("ownWordsLine", {
        asked: profile.behaviour.questions_asked,
        uncovered: profile.behaviour.questions_not_covered,
        notes: profile.behaviour.notes,
      }), profile.behaviour.asked_most.length
        ? " " + t("askedMost", { topics: profile.behaviour.asked_most.map(([, title, n]) => `${tr(title)} (${n})`).join(t("listSep")) })
        : ""),
      profile.described ? h("p", { id: "described" }, t("describedLine", {
        text: profile.described.text,
        named: [...profile.described.platforms, ...profile.described.markets].map((x) => tr(x.title)).join(t("listSep")) || "—",
        claimed: profile.described.claimed_modules.map((x) => tr(x.title)).join(t("listSep")) || "—",
      })) : null,
      h("button", { type: "button", id: "print-report", class: "primary no-print", onclick: () => window.print() }, t("printReport"))),
    h("section", { class: "card" }, h("h2", {}, t("moduleChartTitle")), modules, table),
    h("section", { class: "card" }, h("h2", {}, t("weeksChartTitle")), weeks,
      h("p", { class: "muted" }, p.weeks.map((w) => `${w.week}: ${Math.round(w.minutes)}`).join(" · "))),
    h("section", { class: "card" }, h("h2", {}, t("trendChartTitle")), trend),
    indicatorsCard(ind),
  );
}
