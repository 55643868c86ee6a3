/** The report's CSS: readable at 1280 px and on a phone (cards wrap, tables scroll sideways, charts take the column width). */
export const PAGE_STYLE = `
:root { --fg: #1b1f24; --muted: #5b6470; --line: #d8dde3; --bg: #ffffff; --card: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1240px; margin: 0 auto; padding: 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 12px 0 6px; }
.meta { color: var(--muted); }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; color: #fff; margin-right: 6px; }
.badge.ok { background: var(--ok); } .badge.bad { background: var(--bad); } .badge.warn { background: var(--warn); } .badge.info { background: #57606a; }
ul.findings { list-style: none; padding: 0; margin: 8px 0; }
ul.findings li { padding: 6px 10px; margin: 4px 0; border-left: 4px solid #57606a; background: var(--card); }
ul.findings li.warning { border-color: var(--warn); } ul.findings li.error { border-color: var(--bad); }
ul.findings .evidence { color: var(--muted); font-size: 12px; margin-left: 6px; }
button { font: inherit; font-size: 12px; padding: 1px 8px; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card h3 { margin: 0 0 6px; }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; }
.card dt { color: var(--muted); } .card dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: var(--card); }
td.n { text-align: right; }
td.pass { color: var(--ok); font-weight: 600; } td.fail { color: var(--bad); font-weight: 600; }
.chart-box { min-width: 0; }
.chart { width: 100%; min-height: 60px; margin: 6px 0 14px; }
.chart-title { font-weight: 600; margin-top: 12px; }
.missing { padding: 14px; border: 1px dashed var(--bad); color: var(--bad); background: #fff5f5; border-radius: 6px; margin: 6px 0 14px; }
.note { color: var(--muted); font-size: 13px; }
pre { background: var(--card); border: 1px solid var(--line); padding: 8px; overflow-x: auto; font-size: 12px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 0 16px; }
@media (max-width: 600px) { main { padding: 8px; } .grid2 { grid-template-columns: 1fr; } h1 { font-size: 18px; } }
.u-legend { font-size: 12px; } .u-title { font-size: 13px; }
`;
