/**
 * Bar charts drawn on the server as inline SVG: no chart library and no script. The layout is
 * worked out here and the template only places it; colours come from classes in pages.css (the
 * CSP allows no inline styles). Every chart is shown with its table, which is its accessible form.
 */

export interface OnTimeBar {
  label: string;
  onTime: number;
  late: number;
}

export interface OnTimeChart {
  width: number;
  height: number;
  rows: {
    label: string;
    /** The row's top edge. */
    y: number;
    /** Where its text sits (the middle of the bar). */
    textY: number;
    onTimeWidth: number;
    lateWidth: number;
    lateX: number;
    /** Where the figures are written: just after the bar. */
    valueX: number;
    value: string;
  }[];
  barX: number;
  barHeight: number;
  /** Scale marks along the bottom: where, and the count they stand for. */
  ticks: { x: number; text: string }[];
  axisY: number;
  /** Where the scale's title sits: centred under the bars, below the marks. */
  title: { x: number; y: number };
}

const WIDTH = 720;
const LABEL_WIDTH = 190;
const BAR_SPACE = 340;
/** Longer labels are cut short in the drawing (the table beside it has them whole). */
const LABEL_CHARACTERS = 22;
const ROW_HEIGHT = 40;
const BAR_HEIGHT = 24;
const TOP = 8;

/** A whole number to mark the scale at, so the marks are 1, 2, 5, 10, 20, 50 … apart. */
function tickStep(max: number): number {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  return [1, 2, 5, 10].map((multiple) => multiple * power).find((step) => step >= rough) ?? 10 * power;
}

/** Stacked horizontal bars, one a group: decided on time, then late, on a scale shared by every row. */
export function onTimeChart(bars: readonly OnTimeBar[]): OnTimeChart {
  const largest = Math.max(1, ...bars.map((bar) => bar.onTime + bar.late));
  const step = tickStep(largest);
  const top = Math.ceil(largest / step) * step;
  const scale = BAR_SPACE / top;
  const rows = bars.map((bar, index) => {
    const y = TOP + index * ROW_HEIGHT;
    const onTimeWidth = bar.onTime * scale;
    const lateWidth = bar.late * scale;
    const decided = bar.onTime + bar.late;
    return {
      label: bar.label.length > LABEL_CHARACTERS ? `${bar.label.slice(0, LABEL_CHARACTERS - 1).trimEnd()}…` : bar.label,
      y,
      textY: y + BAR_HEIGHT / 2,
      onTimeWidth,
      lateWidth,
      lateX: LABEL_WIDTH + onTimeWidth,
      valueX: LABEL_WIDTH + onTimeWidth + lateWidth + 8,
      value: decided ? `${bar.onTime} on time, ${bar.late} late` : 'none decided',
    };
  });
  const axisY = TOP + bars.length * ROW_HEIGHT;
  const ticks = Array.from({ length: top / step + 1 }, (_, index) => ({ x: LABEL_WIDTH + index * step * scale, text: String(index * step) }));
  return { width: WIDTH, height: axisY + 48, rows, barX: LABEL_WIDTH, barHeight: BAR_HEIGHT, ticks, axisY, title: { x: LABEL_WIDTH + BAR_SPACE / 2, y: axisY + 40 } };
}
