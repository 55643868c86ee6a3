/**
 * The small part of Grafana's dashboard JSON model (schemaVersion 39) the Vigil
 * dashboards use, and builders for it. Every panel queries the Prometheus datasource
 * chosen in the `datasource` variable, so the JSON imports anywhere unchanged.
 */

/** Grafana's reference to the datasource picked in the `datasource` template variable. */
export const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;

export interface PanelTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat?: string;
  readonly instant?: boolean;
  readonly range?: boolean;
  readonly format?: "time_series" | "table";
  readonly datasource: typeof DATASOURCE;
}

export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: GridPos;
  readonly datasource?: typeof DATASOURCE;
  readonly description?: string;
  readonly targets?: readonly PanelTarget[];
  readonly fieldConfig?: unknown;
  readonly options?: unknown;
  readonly transformations?: readonly unknown[];
  readonly collapsed?: boolean;
  readonly panels?: readonly Panel[];
}

export interface TemplateVariable {
  readonly name: string;
  readonly label: string;
  readonly type: "datasource" | "query";
  readonly query: string;
  readonly definition?: string;
  readonly datasource?: typeof DATASOURCE;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly refresh?: number;
  readonly current?: unknown;
  readonly hide?: number;
  readonly sort?: number;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly TemplateVariable[] };
  readonly [key: string]: unknown;
}

/** A query as the builders take it: PromQL and its legend. */
export interface Query {
  readonly expr: string;
  readonly legend?: string;
}

/** Grafana units used here (Grafana's unit ids). */
export type Unit = "s" | "percent" | "percentunit" | "bytes" | "watt" | "celsius" | "hertz" | "reqps" | "short" | "none" | "ops";

const refIds = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function targets(queries: readonly Query[], extra: Partial<PanelTarget> = {}): PanelTarget[] {
  return queries.map((q, i) => ({ refId: refIds[i] as string, expr: q.expr, legendFormat: q.legend ?? "__auto", datasource: DATASOURCE, ...extra }));
}

/** Lays panels out left to right, wrapping at Grafana's 24 columns; ids in order. */
export class Layout {
  #x = 0;
  #y = 0;
  #rowHeight = 0;
  #id = 1;

  /** The next position for a panel `w` wide and `h` high. */
  place(w: number, h: number): { id: number; gridPos: GridPos } {
    if (this.#x + w > 24) this.newLine();
    const gridPos = { x: this.#x, y: this.#y, w, h };
    this.#x += w;
    this.#rowHeight = Math.max(this.#rowHeight, h);
    return { id: this.#id++, gridPos };
  }

  newLine(): void {
    this.#y += this.#rowHeight;
    this.#x = 0;
    this.#rowHeight = 0;
  }

  /** A full-width row header. */
  row(title: string): Panel {
    this.newLine();
    const { id, gridPos } = this.place(24, 1);
    this.newLine();
    return { id, type: "row", title, gridPos, collapsed: false, panels: [] };
  }
}

/** A time series panel. */
export function timeseries(layout: Layout, options: { title: string; description?: string; unit: Unit; queries: readonly Query[]; w?: number; h?: number; stack?: boolean; max?: number }): Panel {
  const { id, gridPos } = layout.place(options.w ?? 12, options.h ?? 8);
  return {
    id,
    type: "timeseries",
    title: options.title,
    ...(options.description ? { description: options.description } : {}),
    gridPos,
    datasource: DATASOURCE,
    targets: targets(options.queries),
    fieldConfig: {
      defaults: {
        unit: options.unit,
        ...(options.max === undefined ? {} : { min: 0, max: options.max }),
        custom: { drawStyle: "line", lineWidth: 1, fillOpacity: options.stack ? 30 : 10, showPoints: "never", stacking: { mode: options.stack ? "normal" : "none", group: "A" } },
      },
      overrides: [],
    },
    options: { legend: { displayMode: "table", placement: "bottom", calcs: ["lastNotNull", "max"] }, tooltip: { mode: "multi", sort: "desc" } },
  };
}

/** A single-value stat panel (instant query). */
export function stat(layout: Layout, options: { title: string; description?: string; unit: Unit; query: Query; w?: number; h?: number; thresholds?: readonly { value: number | null; color: string }[] }): Panel {
  const { id, gridPos } = layout.place(options.w ?? 4, options.h ?? 4);
  return {
    id,
    type: "stat",
    title: options.title,
    ...(options.description ? { description: options.description } : {}),
    gridPos,
    datasource: DATASOURCE,
    targets: targets([options.query], { instant: true, range: false }),
    fieldConfig: {
      defaults: { unit: options.unit, thresholds: { mode: "absolute", steps: options.thresholds ?? [{ value: null, color: "green" }] } },
      overrides: [],
    },
    options: { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "value", graphMode: "area", textMode: "auto" },
  };
}

/** A column of a table panel: one instant query joined on the `by` labels. */
export interface TableColumn {
  readonly header: string;
  readonly expr: string;
  readonly unit: Unit;
}

/**
 * A table with one row per label set of `by` (e.g. one per host), one column per query:
 * instant queries in table format, joined by Grafana's "merge" transformation.
 */
export function table(layout: Layout, options: { title: string; description?: string; by: readonly string[]; columns: readonly TableColumn[]; w?: number; h?: number }): Panel {
  const { id, gridPos } = layout.place(options.w ?? 24, options.h ?? 8);
  const renames: Record<string, string> = {};
  const columnUnits = options.columns.map((column, i) => {
    renames[`Value #${refIds[i]}`] = column.header;
    return { matcher: { id: "byName", options: column.header }, properties: [{ id: "unit", value: column.unit }] };
  });
  return {
    id,
    type: "table",
    title: options.title,
    ...(options.description ? { description: options.description } : {}),
    gridPos,
    datasource: DATASOURCE,
    targets: targets(
      options.columns.map((c) => ({ expr: c.expr })),
      { instant: true, range: false, format: "table" },
    ),
    transformations: [
      { id: "merge", options: {} },
      { id: "organize", options: { excludeByName: { Time: true }, indexByName: Object.fromEntries(options.by.map((label, i) => [label, i])), renameByName: renames } },
    ],
    fieldConfig: { defaults: { custom: { align: "auto" } }, overrides: columnUnits },
    options: { showHeader: true, sortBy: [{ displayName: options.by[options.by.length - 1] ?? "instance", desc: false }] },
  };
}

/** The `datasource` variable every dashboard starts with. */
export function datasourceVariable(): TemplateVariable {
  return { name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", refresh: 1, current: {}, hide: 0 };
}

/** A variable filled from `label_values(<selector>, <label>)`. */
export function labelVariable(options: { name: string; label: string; selector: string; labelName: string; multi?: boolean; includeAll?: boolean }): TemplateVariable {
  const query = `label_values(${options.selector}, ${options.labelName})`;
  return {
    name: options.name,
    label: options.label,
    type: "query",
    datasource: DATASOURCE,
    // The string form: every Grafana version reads it (newer ones migrate it on load).
    query,
    definition: query,
    refresh: 2,
    sort: 1,
    multi: options.multi ?? false,
    includeAll: options.includeAll ?? false,
    ...(options.includeAll ? { allValue: ".+" } : {}),
    current: {},
    hide: 0,
  };
}

/** The dashboard envelope: time range, refresh, variables, the import-format fields. */
export function dashboard(options: { uid: string; title: string; description: string; tags: readonly string[]; variables: readonly TemplateVariable[]; panels: readonly Panel[] }): Dashboard {
  return {
    // Grafana's import screen asks for the datasource because of the variable; no __inputs needed.
    uid: options.uid,
    title: options.title,
    description: options.description,
    tags: options.tags,
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: "now-1h", to: "now" },
    refresh: "30s",
    timezone: "browser",
    templating: { list: options.variables },
    annotations: { list: [] },
    links: [],
    panels: options.panels,
  };
}
