/**
 * The GPU source's Worker: the NVML calls that block. nvmlEventSetWait_v2 blocks its
 * thread until an event or the timeout, and nvmlDeviceGetPcieThroughput measures over
 * 20 ms per call, so on the main thread either would stall HTTP serving and the
 * sampler (reference/nvml-dcgm-bunffi.md §3.6). Here they run in a loop of short
 * steps (one wait of at most `waitTimeoutMs` each), yielding to the event loop
 * between steps so a "stop" message ends the loop within one step; then it frees
 * the event set and balances its own nvmlInit_v2 with nvmlShutdown.
 *
 * Messages in: XidWorkerStart, then { type: "stop" }. Messages out: XidWorkerMessage.
 * Built into the compiled binary as an extra entry point (scripts/build-agent.ts).
 */
import { dlopen, FFIType as T } from "bun:ffi";

/** First message from the agent. */
export interface XidWorkerStart {
  readonly type: "start";
  readonly libraryPath: string;
  readonly deviceCount: number;
  readonly waitTimeoutMs: number;
  readonly pcieIntervalMs: number;
}

export type XidWorkerMessage =
  | { readonly type: "ready"; readonly registered: readonly number[]; readonly problems: readonly string[] }
  | { readonly type: "xid"; readonly index: number; readonly xid: number }
  | { readonly type: "pcie"; readonly readings: readonly ({ readonly txBytesPerSecond: number; readonly rxBytesPerSecond: number } | null)[] }
  | { readonly type: "stopped" };

const SYMBOLS = {
  nvmlInit_v2: { args: [], returns: T.i32 },
  nvmlShutdown: { args: [], returns: T.i32 },
  nvmlErrorString: { args: [T.i32], returns: T.cstring },
  nvmlDeviceGetHandleByIndex_v2: { args: [T.u32, T.ptr], returns: T.i32 },
} as const;
const EVENTS = {
  nvmlEventSetCreate: { args: [T.ptr], returns: T.i32 },
  nvmlDeviceRegisterEvents: { args: [T.ptr, T.u64, T.ptr], returns: T.i32 },
  nvmlEventSetWait_v2: { args: [T.ptr, T.ptr, T.u32], returns: T.i32 },
  nvmlEventSetFree: { args: [T.ptr], returns: T.i32 },
} as const;
const PCIE = { nvmlDeviceGetPcieThroughput: { args: [T.ptr, T.i32, T.ptr], returns: T.i32 } } as const;

const XID_CRITICAL_ERROR = 0x8n; // nvmlEventTypeXidCriticalError
const NVML_ERROR_TIMEOUT = 10;

declare const self: Worker;
let stopping = false;

self.onmessage = (event: MessageEvent<XidWorkerStart | { type: "stop" }>) => {
  if (event.data.type === "stop") stopping = true;
  else run(event.data);
};

function post(message: XidWorkerMessage): void {
  self.postMessage(message);
}

function run(start: XidWorkerStart): void {
  const problems: string[] = [];
  let nv;
  try {
    nv = dlopen(start.libraryPath, SYMBOLS).symbols;
  } catch (error) {
    post({ type: "ready", registered: [], problems: [`Cannot load NVML in the XID worker: ${(error as Error).message}`] });
    post({ type: "stopped" });
    return;
  }
  const initCode = nv.nvmlInit_v2();
  if (initCode !== 0) {
    post({ type: "ready", registered: [], problems: [`nvmlInit_v2 failed in the XID worker: ${nv.nvmlErrorString(initCode)}`] });
    post({ type: "stopped" });
    return;
  }
  const events = optional(start.libraryPath, EVENTS);
  const pcie = optional(start.libraryPath, PCIE);
  if (!events) problems.push("this NVML has no event API: XID errors are not counted");

  const handles: (bigint | null)[] = [];
  const out = new BigUint64Array(1);
  for (let i = 0; i < start.deviceCount; i++) handles.push(nv.nvmlDeviceGetHandleByIndex_v2(i, out) === 0 ? out[0]! : null);
  const indexOf = new Map<bigint, number>();
  handles.forEach((h, i) => h !== null && indexOf.set(h, i));

  let set: bigint | null = null;
  const registered: number[] = [];
  if (events) {
    const setOut = new BigUint64Array(1);
    const code = events.nvmlEventSetCreate(setOut);
    if (code === 0) {
      set = setOut[0]!;
      handles.forEach((h, i) => {
        if (h === null) return;
        const rc = events.nvmlDeviceRegisterEvents(h, XID_CRITICAL_ERROR, set);
        // NOT_SUPPORTED on one GPU leaves the set usable for the others.
        if (rc === 0) registered.push(i);
        else problems.push(`GPU ${i}: nvmlDeviceRegisterEvents: ${nv.nvmlErrorString(rc)}`);
      });
    } else problems.push(`nvmlEventSetCreate: ${nv.nvmlErrorString(code)}`);
  }
  post({ type: "ready", registered, problems });

  // nvmlEventData_t: device@0 eventType@8 eventData@16 (the XID) gpuInstanceId@24 computeInstanceId@28.
  const data = new BigUint64Array(4);
  const value = new Uint32Array(1);
  let nextPcieMs = 0;
  const readPcie = () => {
    if (!pcie) return;
    const readings = handles.map((h) => {
      if (h === null) return null;
      // NVML reports KB/s (1 KB = 1024 bytes).
      if (pcie.nvmlDeviceGetPcieThroughput(h, 0, value) !== 0) return null;
      const txBytesPerSecond = value[0]! * 1024;
      if (pcie.nvmlDeviceGetPcieThroughput(h, 1, value) !== 0) return null;
      return { txBytesPerSecond, rxBytesPerSecond: value[0]! * 1024 };
    });
    post({ type: "pcie", readings });
  };
  const finish = () => {
    if (events && set !== null) events.nvmlEventSetFree(set);
    nv.nvmlShutdown();
    post({ type: "stopped" });
    self.onmessage = null;
  };
  const step = () => {
    if (stopping) return finish();
    if (pcie && performance.now() >= nextPcieMs) {
      readPcie();
      nextPcieMs = performance.now() + start.pcieIntervalMs;
      setTimeout(step, 0);
      return;
    }
    if (set === null || !events || registered.length === 0) {
      setTimeout(step, start.waitTimeoutMs);
      return;
    }
    const code = events.nvmlEventSetWait_v2(set, data, start.waitTimeoutMs);
    if (code === 0 && (data[1]! & XID_CRITICAL_ERROR) !== 0n) {
      const index = indexOf.get(data[0]!);
      if (index !== undefined) post({ type: "xid", index, xid: Number(data[2]!) });
    }
    // A failing wait (not a plain timeout) must not spin: back off one step.
    setTimeout(step, code === 0 || code === NVML_ERROR_TIMEOUT ? 0 : start.waitTimeoutMs);
  };
  step();
}

function optional<D extends Record<string, { args: readonly T[]; returns: T }>>(path: string, definitions: D) {
  try {
    return dlopen(path, definitions).symbols;
  } catch {
    // Absent on this driver: the caller reports what it cannot do.
    return null;
  }
}
