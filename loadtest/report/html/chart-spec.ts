/** What the page script needs to draw one uPlot chart: plain JSON, built at render time. */

/** One plotted series. */
export interface ChartSeries {
  readonly label: string;
  readonly unit: string;
  readonly color: string;
  /** `y` (left axis) or `y2` (right axis). */
  readonly scale: "y" | "y2";
  readonly style?: "line" | "step" | "bars" | "points";
  readonly dash?: boolean;
}

/** One chart: `data[0]` is x, then one array per series (null = gap, never 0). */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** `time` (x in epoch seconds, cursor and zoom synced across time charts) or a plain numeric x. */
  readonly xKind: "time" | "number";
  readonly xLabel?: string;
  readonly xLog?: boolean;
  readonly yLabel: string;
  readonly y2Label?: string;
  readonly series: readonly ChartSeries[];
  readonly data: readonly (readonly (number | null)[])[];
  readonly height?: number;
}

/** A chart that has nothing to draw: the page shows this reason in its place. */
export interface MissingChart {
  readonly id: string;
  readonly title: string;
  readonly missing: string;
}

/** Colours that stay apart for the usual colour-vision deficiencies (Okabe-Ito), then a few more. */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442", "#7f7f7f", "#8c564b"];
