/** The HTML view as a ReportWriter: `report.html` beside `report.json`. */
import type { ReportWriter } from "../write-report.ts";
import { renderReportHtml } from "./render-report-html.ts";

/** Writes `report.html`. */
export const htmlReportWriter: ReportWriter = {
  name: "html",
  render: (report) => ({ "report.html": renderReportHtml(report) }),
};
