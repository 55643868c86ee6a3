/**
 * The Pushgateway group URL: `/metrics/job/<job>{/<label>/<value>}`. A value with a
 * `/` (or an empty one) is written `<label>@base64/<url-safe base64>` (pushgateway README).
 */

/** The group URL for a job and its grouping labels, in order. */
export function pushgatewayGroupUrl(baseUrl: string, job: string, labels: Readonly<Record<string, string>> = {}): string {
  let path = `/metrics/${segment("job", job)}`;
  for (const [name, value] of Object.entries(labels)) path += `/${segment(name, value)}`;
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

function segment(name: string, value: string): string {
  if (value === "" || value.includes("/")) return `${name}@base64/${value === "" ? "=" : Buffer.from(value, "utf8").toString("base64url")}`;
  return `${name}/${encodeURIComponent(value)}`;
}
