// Charts through Apache ECharts (canvas renderer; renders CJK with the system fonts). Only the
// parts used are bundled. Every chart also has a text equivalent beside it in the screen, so no
// information is in the picture alone.
import * as echarts from "echarts/core";
import { BarChart, GraphChart, LineChart, RadarChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, RadarComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { h } from "./dom";

echarts.use([BarChart, GraphChart, LineChart, RadarChart, AriaComponent, GridComponent, LegendComponent, RadarComponent, TooltipComponent, CanvasRenderer]);

const live: echarts.ECharts[] = [];
window.addEventListener("resize", () => live.forEach((c) => c.resize()));

/** A chart container; the chart is drawn once the element is in the document. */
export function chart(id: string, label: string, option: echarts.EChartsCoreOption, onClick?: (data: unknown) => void): HTMLElement {
  const el = h("div", { class: "chart", id, role: "img", "aria-label": label });
  requestAnimationFrame(() => {
    if (!el.isConnected) return;
    // Charts of a screen left behind are disposed with it.
    for (let i = live.length - 1; i >= 0; i--) {
      if (!live[i].getDom().isConnected) {
        live[i].dispose();
        live.splice(i, 1);
      }
    }
    const c = echarts.init(el, undefined, { renderer: "canvas" });
    c.setOption({ aria: { enabled: true, label: { description: label } }, animation: false, ...option });
    if (onClick) c.on("click", (p) => onClick(p.data));
    live.push(c);
    el.dataset.ready = "true";
  });
  return el;
}

export const palette = { now: "#1f6feb", before: "#8b949e", mastered: "#1a7f37", learning: "#bf8700", notStarted: "#8c959f", required: "#cf222e" };
