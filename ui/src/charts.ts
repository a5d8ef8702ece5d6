// Charts through Apache ECharts (SVG renderer: crisp when printed, renders CJK with the system
// fonts; with the canvas renderer WebKitGTK stopped taking window snapshots once a chart's canvas
// had been removed). Only the
// parts used are bundled. Every chart also has a text equivalent beside it in the screen, so no
// information is in the picture alone.
import * as echarts from "echarts/core";
import { BarChart, GraphChart, HeatmapChart, LineChart, RadarChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, RadarComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";
import { h } from "./dom";
import { onLeave } from "./app";

echarts.use([BarChart, GraphChart, HeatmapChart, LineChart, RadarChart, AriaComponent, GridComponent, LegendComponent, RadarComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

const live: echarts.ECharts[] = [];
window.addEventListener("resize", () => live.forEach((c) => { if (!c.isDisposed()) c.resize(); }));

/** A chart container; the chart is drawn once the element is in the document. */
export function chart(id: string, label: string, option: echarts.EChartsCoreOption, onClick?: (data: unknown) => void): HTMLElement {
  const el = h("div", { class: "chart", id, role: "img", "aria-label": label });
  requestAnimationFrame(() => {
    if (!el.isConnected) return;
    // Charts of a screen left behind are disposed with it.
    for (let i = live.length - 1; i >= 0; i--) {
      if (live[i].isDisposed() || !live[i].getDom().isConnected) {
        if (!live[i].isDisposed()) live[i].dispose();
        live.splice(i, 1);
      }
    }
    // ECharts' own dark theme when the desktop is dark (on a transparent background: the card's).
    const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
    const c = echarts.init(el, dark ? "dark" : undefined, { renderer: "svg" });
    // A chart left on a screen the learner navigated away from keeps its animation loop (the
    // knowledge map's force layout) running: dispose it with the screen.
    onLeave(() => {
      if (!c.isDisposed()) c.dispose();
    });
    c.setOption({ aria: { enabled: true, label: { description: label } }, animation: false, ...(dark ? { backgroundColor: "transparent" } : {}), ...option });
    if (onClick) c.on("click", (p) => onClick(p.data));
    live.push(c);
    el.dataset.ready = "true";
  });
  return el;
}

export const palette = { now: "#1f6feb", before: "#8b949e", mastered: "#1a7f37", learning: "#bf8700", notStarted: "#8c959f", required: "#cf222e" };
