/**
 * The bits of nvmlClocksEventReasons (same bits as the older throttle reasons), named
 * as dcgm-exporter names them in DCGM_EXP_CLOCK_EVENTS_COUNT{clock_event}.
 */
export const CLOCK_EVENT_REASONS: readonly { readonly bit: number; readonly name: string }[] = [
  { bit: 0x1, name: "gpu_idle" },
  { bit: 0x2, name: "clocks_setting" },
  { bit: 0x4, name: "power_cap" },
  { bit: 0x8, name: "hw_slowdown" },
  { bit: 0x10, name: "sync_boost" },
  { bit: 0x20, name: "sw_thermal" },
  { bit: 0x40, name: "hw_thermal" },
  { bit: 0x80, name: "hw_power_brake" },
  { bit: 0x100, name: "display_clocks" },
];

/** The names of the reasons set in a bitmask, e.g. 0x24 -> ["power_cap", "sw_thermal"]. */
export function clockEventReasonNames(mask: number): string[] {
  return CLOCK_EVENT_REASONS.filter((reason) => (mask & reason.bit) !== 0).map((reason) => reason.name);
}
