/*
 * A fake libnvidia-ml.so.1 for Vigil's tests and demo: the NVML symbols the agent
 * binds, with the same names, ABI and struct layouts as NVML 13.x on x86-64
 * (see /work/shared/reference/nvml-dcgm-bunffi.md §1), driven by a state file.
 *
 * Build: gcc -O2 -shared -fPIC -Wl,-soname,libnvidia-ml.so.1 -o libnvidia-ml.so.1 fake-nvml.c -lpthread
 *        (-DFAKE_NVML_LEGACY leaves out the symbols newer drivers added, like an R470
 *        driver: nvmlDeviceGetMemoryInfo_v2 and nvmlDeviceGetCurrentClocksEventReasons.)
 *
 * State file: path in $VIGIL_FAKE_NVML_STATE, written by test/fake-nvml/state-file.ts.
 * One key=value per line, '#' comments, unknown keys ignored:
 *   simulated=1
 *   driver_version=580.95.05   nvml_version=13.580.95.05   cuda_driver_version=13000
 *   error.<symbol>=NVML_ERROR_...        library-wide failure of one function
 *   device_count=N                       (N <= 64)
 *   gpu.<i>.<field>=<int|string>         fields: see parse_gpu_field() below
 *   gpu.<i>.error.<symbol|*>=NVML_ERROR_...
 *   gpu.<i>.process.<k>.pid=...  gpu.<i>.process.<k>.used_gpu_memory_bytes=... (-1 = N/A)
 *   gpu.<i>.xid.<eventId>=<xid>          pending XID; each event set delivers an id once
 *
 * The file is re-read when its inode, size or mtime changes, checked at most every
 * 2 ms, so any call made 2 ms or more after a write (rename) sees the new state.
 * A file that cannot be read keeps the last good state. Behaviour real NVML has and
 * the fake keeps: UNINITIALIZED before nvmlInit_v2 (init is ref-counted), NULL
 * pointers -> INVALID_ARGUMENT, bad handles/indexes -> INVALID_ARGUMENT, short
 * buffers -> INSUFFICIENT_SIZE (with the needed count for list queries), v2 struct
 * version checks -> ARGUMENT_VERSION_MISMATCH, nvmlEventSetWait_v2 -> TIMEOUT after
 * timeoutms without an event. nvmlDeviceGetPcieThroughput takes 20 ms, like the real one.
 * Thread-safe (one mutex), as NVML promises. The one non-NVML export,
 * vigilFakeNvmlSetStatePath(path), names the state file from inside the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define EXPORT __attribute__((visibility("default")))

typedef int nvmlReturn_t;
enum {
  NVML_SUCCESS = 0, NVML_ERROR_UNINITIALIZED = 1, NVML_ERROR_INVALID_ARGUMENT = 2, NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NO_PERMISSION = 4, NVML_ERROR_NOT_FOUND = 6, NVML_ERROR_INSUFFICIENT_SIZE = 7, NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_TIMEOUT = 10, NVML_ERROR_GPU_IS_LOST = 15, NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25, NVML_ERROR_UNKNOWN = 999,
};

#define MAX_GPUS 64
#define MAX_PROCS 64
#define MAX_ERRORS 32
#define MAX_EVENTS 1024
#define SYM_LEN 64

typedef struct { char symbol[SYM_LEN]; int code; } fake_error;
typedef struct { unsigned int pid; unsigned long long used; } fake_proc;
typedef struct { unsigned long long id; unsigned int gpu; unsigned long long xid; } fake_event;

typedef struct {
  char name[96], uuid[96], pci_bus_id[32];
  unsigned int pci_device_id, pci_subsystem_id, minor;
  unsigned long long mem_total, mem_used, mem_reserved, mem_free;
  unsigned int util_gpu, util_mem, enc_util, dec_util, temp, power_mw, enforced_mw, mgmt_mw;
  unsigned long long energy_mj;
  unsigned int clock[4], max_clock[4];
  unsigned int fan, pstate;
  unsigned long long event_reasons;
  unsigned int pcie_tx, pcie_rx, pcie_replay;
  unsigned long long ecc[2][2]; /* [nvmlMemoryErrorType_t][nvmlEccCounterType_t] */
  unsigned int retired[2], retired_pending;
  unsigned int remap_cor, remap_unc, remap_pending, remap_failure;
  unsigned int compute_mode, mig_current, mig_pending;
  int nproc; fake_proc proc[MAX_PROCS];
  int nerr; fake_error err[MAX_ERRORS];
} fake_gpu;

typedef struct {
  char driver_version[80], nvml_version[80];
  int cuda_version;
  unsigned int count;
  int nerr; fake_error err[MAX_ERRORS];
  int nevents; fake_event events[MAX_EVENTS];
  fake_gpu gpu[MAX_GPUS];
} fake_state;

/* A device handle is a pointer into this array; nvmlDevice_t is an 8-byte struct holding it. */
typedef struct { unsigned int index; } handle_st;
typedef handle_st *nvmlDevice_t;

typedef struct {
  unsigned long long mask[MAX_GPUS];
  int ndelivered; unsigned long long delivered[MAX_EVENTS];
} event_set_st;
typedef event_set_st *nvmlEventSet_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static fake_state states[2];
static fake_state *cur = &states[0];
static int init_count = 0;
static int loaded = 0;
static struct { dev_t dev; ino_t ino; off_t size; struct timespec mtime; } seen;
static struct timespec last_check;
static handle_st handles[MAX_GPUS];
static int handles_ready = 0;
static char state_path[4096];

/* ---------- state file ---------- */

static int code_from_name(const char *v) {
  static const struct { const char *name; int code; } names[] = {
    {"NVML_SUCCESS", 0}, {"NVML_ERROR_UNINITIALIZED", 1}, {"NVML_ERROR_INVALID_ARGUMENT", 2}, {"NVML_ERROR_NOT_SUPPORTED", 3},
    {"NVML_ERROR_NO_PERMISSION", 4}, {"NVML_ERROR_ALREADY_INITIALIZED", 5}, {"NVML_ERROR_NOT_FOUND", 6}, {"NVML_ERROR_INSUFFICIENT_SIZE", 7},
    {"NVML_ERROR_INSUFFICIENT_POWER", 8}, {"NVML_ERROR_DRIVER_NOT_LOADED", 9}, {"NVML_ERROR_TIMEOUT", 10}, {"NVML_ERROR_IRQ_ISSUE", 11},
    {"NVML_ERROR_LIBRARY_NOT_FOUND", 12}, {"NVML_ERROR_FUNCTION_NOT_FOUND", 13}, {"NVML_ERROR_CORRUPTED_INFOROM", 14},
    {"NVML_ERROR_GPU_IS_LOST", 15}, {"NVML_ERROR_RESET_REQUIRED", 16}, {"NVML_ERROR_OPERATING_SYSTEM", 17},
    {"NVML_ERROR_LIB_RM_VERSION_MISMATCH", 18}, {"NVML_ERROR_IN_USE", 19}, {"NVML_ERROR_MEMORY", 20}, {"NVML_ERROR_NO_DATA", 21},
    {"NVML_ERROR_ARGUMENT_VERSION_MISMATCH", 25}, {"NVML_ERROR_UNKNOWN", 999},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) if (strcmp(v, names[i].name) == 0) return names[i].code;
  char *end; long n = strtol(v, &end, 0);
  return (*v && !*end) ? (int)n : NVML_ERROR_UNKNOWN;
}

static unsigned long long num(const char *v) {
  /* -1 is NVML_VALUE_NOT_AVAILABLE: all ones in an unsigned field. */
  if (v[0] == '-') return (unsigned long long)strtoll(v, NULL, 0);
  return strtoull(v, NULL, 0);
}

static void add_error(fake_error *list, int *n, const char *symbol, const char *value) {
  for (int i = 0; i < *n; i++) if (strcmp(list[i].symbol, symbol) == 0) { list[i].code = code_from_name(value); return; }
  if (*n >= MAX_ERRORS) return;
  snprintf(list[*n].symbol, SYM_LEN, "%s", symbol);
  list[*n].code = code_from_name(value);
  (*n)++;
}

static void copy_text(char *dst, size_t size, const char *v) { snprintf(dst, size, "%s", v); }

static void parse_gpu_field(fake_state *s, unsigned int i, const char *key, const char *v) {
  fake_gpu *g = &s->gpu[i];
  if (strncmp(key, "error.", 6) == 0) { add_error(g->err, &g->nerr, key + 6, v); return; }
  if (strncmp(key, "process.", 8) == 0) {
    char *end; unsigned long k = strtoul(key + 8, &end, 10);
    if (k >= MAX_PROCS || *end != '.') return;
    if ((int)k + 1 > g->nproc) g->nproc = (int)k + 1;
    if (strcmp(end + 1, "pid") == 0) g->proc[k].pid = (unsigned int)num(v);
    else if (strcmp(end + 1, "used_gpu_memory_bytes") == 0) g->proc[k].used = num(v);
    return;
  }
  if (strncmp(key, "xid.", 4) == 0) {
    if (s->nevents >= MAX_EVENTS) return;
    fake_event *e = &s->events[s->nevents++];
    e->id = strtoull(key + 4, NULL, 10); e->gpu = i; e->xid = num(v);
    return;
  }
  if (strcmp(key, "name") == 0) { copy_text(g->name, sizeof g->name, v); return; }
  if (strcmp(key, "uuid") == 0) { copy_text(g->uuid, sizeof g->uuid, v); return; }
  if (strcmp(key, "pci_bus_id") == 0) { copy_text(g->pci_bus_id, sizeof g->pci_bus_id, v); return; }
  static const struct { const char *key; size_t offset; int wide; } ints[] = {
#define U(k, f) {k, offsetof(fake_gpu, f), 0}
#define W(k, f) {k, offsetof(fake_gpu, f), 1}
    U("pci_device_id", pci_device_id), U("pci_subsystem_id", pci_subsystem_id), U("minor_number", minor),
    W("memory_total_bytes", mem_total), W("memory_used_bytes", mem_used), W("memory_reserved_bytes", mem_reserved),
    W("memory_free_bytes", mem_free), U("utilization_gpu_percent", util_gpu), U("utilization_memory_percent", util_mem),
    U("encoder_utilization_percent", enc_util), U("decoder_utilization_percent", dec_util), U("temperature_celsius", temp),
    U("power_usage_mw", power_mw), U("enforced_power_limit_mw", enforced_mw), U("power_management_limit_mw", mgmt_mw),
    W("total_energy_mj", energy_mj), U("clock_graphics_mhz", clock[0]), U("clock_sm_mhz", clock[1]),
    U("clock_memory_mhz", clock[2]), U("clock_video_mhz", clock[3]), U("max_clock_graphics_mhz", max_clock[0]),
    U("max_clock_sm_mhz", max_clock[1]), U("max_clock_memory_mhz", max_clock[2]), U("max_clock_video_mhz", max_clock[3]),
    U("fan_speed_percent", fan), U("performance_state", pstate), W("clocks_event_reasons", event_reasons),
    U("pcie_tx_kbps", pcie_tx), U("pcie_rx_kbps", pcie_rx), U("pcie_replay_counter", pcie_replay),
    W("ecc_corrected_volatile", ecc[0][0]), W("ecc_corrected_aggregate", ecc[0][1]),
    W("ecc_uncorrected_volatile", ecc[1][0]), W("ecc_uncorrected_aggregate", ecc[1][1]),
    U("retired_pages_single_bit", retired[0]), U("retired_pages_double_bit", retired[1]), U("retired_pages_pending", retired_pending),
    U("remapped_rows_correctable", remap_cor), U("remapped_rows_uncorrectable", remap_unc),
    U("remapped_rows_pending", remap_pending), U("remapped_rows_failure", remap_failure),
    U("compute_mode", compute_mode), U("mig_mode_current", mig_current), U("mig_mode_pending", mig_pending),
#undef U
#undef W
  };
  for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
    if (strcmp(key, ints[k].key) != 0) continue;
    char *field = (char *)g + ints[k].offset;
    if (ints[k].wide) *(unsigned long long *)field = num(v);
    else *(unsigned int *)field = (unsigned int)num(v);
    return;
  }
}

static void parse_line(fake_state *s, char *line) {
  char *eq = strchr(line, '=');
  if (!eq || line[0] == '#') return;
  *eq = 0;
  const char *key = line, *v = eq + 1;
  if (strcmp(key, "driver_version") == 0) copy_text(s->driver_version, sizeof s->driver_version, v);
  else if (strcmp(key, "nvml_version") == 0) copy_text(s->nvml_version, sizeof s->nvml_version, v);
  else if (strcmp(key, "cuda_driver_version") == 0) s->cuda_version = (int)num(v);
  else if (strcmp(key, "device_count") == 0) { unsigned long long n = num(v); s->count = n > MAX_GPUS ? MAX_GPUS : (unsigned int)n; }
  else if (strncmp(key, "error.", 6) == 0) add_error(s->err, &s->nerr, key + 6, v);
  else if (strncmp(key, "gpu.", 4) == 0) {
    char *end; unsigned long i = strtoul(key + 4, &end, 10);
    if (i < MAX_GPUS && *end == '.') parse_gpu_field(s, (unsigned int)i, end + 1, v);
  }
}

/* Parses the file into the spare buffer and swaps it in; keeps the old state on any failure. */
static int parse_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  fake_state *next = cur == &states[0] ? &states[1] : &states[0];
  memset(next, 0, sizeof *next);
  char line[512];
  while (fgets(line, sizeof line, f)) {
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    parse_line(next, line);
  }
  int ok = !ferror(f);
  fclose(f);
  if (ok) { cur = next; loaded = 1; }
  return ok;
}

static long elapsed_ms(const struct timespec *a, const struct timespec *b) {
  return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Called with the lock held. */
static void maybe_reload(int force) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (!force && loaded && elapsed_ms(&last_check, &now) < 2) return;
  last_check = now;
  const char *path = state_path[0] ? state_path : getenv("VIGIL_FAKE_NVML_STATE");
  struct stat st;
  if (!path || stat(path, &st) != 0) return;
  if (loaded && st.st_dev == seen.dev && st.st_ino == seen.ino && st.st_size == seen.size &&
      st.st_mtim.tv_sec == seen.mtime.tv_sec && st.st_mtim.tv_nsec == seen.mtime.tv_nsec) return;
  if (parse_file(path)) { seen.dev = st.st_dev; seen.ino = st.st_ino; seen.size = st.st_size; seen.mtime = st.st_mtim; }
}

static int lookup_error(const fake_error *list, int n, const char *symbol) {
  for (int i = 0; i < n; i++) if (strcmp(list[i].symbol, symbol) == 0 || strcmp(list[i].symbol, "*") == 0) return list[i].code;
  return 0;
}

/* ---------- call prologues ---------- */

/* On success returns 0 with the lock held; otherwise the error, lock released. */
static nvmlReturn_t begin_system(const char *symbol) {
  pthread_mutex_lock(&lock);
  if (init_count == 0) { pthread_mutex_unlock(&lock); return NVML_ERROR_UNINITIALIZED; }
  maybe_reload(0);
  int rc = lookup_error(cur->err, cur->nerr, symbol);
  if (rc) { pthread_mutex_unlock(&lock); return rc; }
  return NVML_SUCCESS;
}

static int handle_index(nvmlDevice_t device) {
  if (device < handles || device >= handles + MAX_GPUS) return -1;
  unsigned int i = device->index;
  return i < cur->count ? (int)i : -1;
}

static nvmlReturn_t begin_device(nvmlDevice_t device, const char *symbol, fake_gpu **out) {
  nvmlReturn_t rc = begin_system(symbol);
  if (rc) return rc;
  int i = handle_index(device);
  if (i < 0) { pthread_mutex_unlock(&lock); return NVML_ERROR_INVALID_ARGUMENT; }
  fake_gpu *g = &cur->gpu[i];
  rc = lookup_error(g->err, g->nerr, symbol);
  if (rc) { pthread_mutex_unlock(&lock); return rc; }
  *out = g;
  return NVML_SUCCESS;
}

#define BEGIN_SYSTEM(sym) do { nvmlReturn_t rc_ = begin_system(sym); if (rc_) return rc_; } while (0)
#define BEGIN_DEVICE(sym) fake_gpu *g = NULL; do { nvmlReturn_t rc_ = begin_device(device, sym, &g); if (rc_) return rc_; } while (0)
#define END(x) do { nvmlReturn_t r_ = (x); pthread_mutex_unlock(&lock); return r_; } while (0)

static nvmlReturn_t put_string(char *dst, unsigned int length, const char *src) {
  if (!dst) return NVML_ERROR_INVALID_ARGUMENT;
  size_t n = strlen(src);
  if (length < n + 1) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(dst, src, n + 1);
  return NVML_SUCCESS;
}

/* ---------- init, errors, system ---------- */

/*
 * Not an NVML symbol: lets a test that loads the fake into its own process name the
 * state file (Bun's process.env does not reach getenv()). NULL or "" goes back to
 * $VIGIL_FAKE_NVML_STATE. Takes effect at the next call.
 */
EXPORT void vigilFakeNvmlSetStatePath(const char *path) {
  pthread_mutex_lock(&lock);
  snprintf(state_path, sizeof state_path, "%s", path ? path : "");
  loaded = 0;
  pthread_mutex_unlock(&lock);
}

EXPORT nvmlReturn_t nvmlInit_v2(void) {
  pthread_mutex_lock(&lock);
  if (!handles_ready) { for (unsigned int i = 0; i < MAX_GPUS; i++) handles[i].index = i; handles_ready = 1; }
  maybe_reload(1);
  if (!loaded) { pthread_mutex_unlock(&lock); return NVML_ERROR_DRIVER_NOT_LOADED; }
  int rc = lookup_error(cur->err, cur->nerr, "nvmlInit_v2");
  if (rc) { pthread_mutex_unlock(&lock); return rc; }
  init_count++;
  pthread_mutex_unlock(&lock);
  return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlInitWithFlags(unsigned int flags) { (void)flags; return nvmlInit_v2(); }

EXPORT nvmlReturn_t nvmlShutdown(void) {
  pthread_mutex_lock(&lock);
  if (init_count == 0) { pthread_mutex_unlock(&lock); return NVML_ERROR_UNINITIALIZED; }
  init_count--;
  pthread_mutex_unlock(&lock);
  return NVML_SUCCESS;
}

EXPORT const char *nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 5: return "Already Initialized";
    case 6: return "Not Found";
    case 7: return "Insufficient Size";
    case 8: return "Insufficient External Power";
    case 9: return "Driver Not Loaded";
    case 10: return "Timeout";
    case 11: return "Interrupt Request Issue";
    case 12: return "NVML Shared Library Not Found";
    case 13: return "Function Not Found";
    case 14: return "Corrupted infoROM";
    case 15: return "GPU is lost";
    case 16: return "GPU requires restart";
    case 17: return "The operating system has blocked the request.";
    case 18: return "RM has detected an NVML/RM version mismatch.";
    case 19: return "The GPU is currently in use";
    case 20: return "Insufficient Memory";
    case 21: return "No data";
    case 25: return "Argument version mismatch";
    default: return "Unknown Error";
  }
}

EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  BEGIN_SYSTEM("nvmlSystemGetDriverVersion");
  END(put_string(version, length, cur->driver_version));
}

EXPORT nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length) {
  BEGIN_SYSTEM("nvmlSystemGetNVMLVersion");
  END(put_string(version, length, cur->nvml_version));
}

static nvmlReturn_t cuda_version(const char *symbol, int *v) {
  BEGIN_SYSTEM(symbol);
  if (!v) END(NVML_ERROR_INVALID_ARGUMENT);
  *v = cur->cuda_version;
  END(NVML_SUCCESS);
}
EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *v) { return cuda_version("nvmlSystemGetCudaDriverVersion", v); }
EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *v) { return cuda_version("nvmlSystemGetCudaDriverVersion_v2", v); }

EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount) {
  BEGIN_SYSTEM("nvmlDeviceGetCount_v2");
  if (!deviceCount) END(NVML_ERROR_INVALID_ARGUMENT);
  *deviceCount = cur->count;
  END(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  BEGIN_SYSTEM("nvmlDeviceGetHandleByIndex_v2");
  if (!device || index >= cur->count) END(NVML_ERROR_INVALID_ARGUMENT);
  int rc = lookup_error(cur->gpu[index].err, cur->gpu[index].nerr, "nvmlDeviceGetHandleByIndex_v2");
  if (rc) END(rc);
  *device = &handles[index];
  END(NVML_SUCCESS);
}

/* ---------- identity ---------- */

EXPORT nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *index) {
  BEGIN_DEVICE("nvmlDeviceGetIndex");
  if (!index) END(NVML_ERROR_INVALID_ARGUMENT);
  *index = device->index;
  END(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t device, unsigned int *minor) {
  BEGIN_DEVICE("nvmlDeviceGetMinorNumber");
  if (!minor) END(NVML_ERROR_INVALID_ARGUMENT);
  *minor = g->minor;
  END(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  BEGIN_DEVICE("nvmlDeviceGetName");
  END(put_string(name, length, g->name));
}

EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  BEGIN_DEVICE("nvmlDeviceGetUUID");
  END(put_string(uuid, length, g->uuid));
}

/* nvmlPciInfo_t, 68 bytes: busIdLegacy[16]@0 domain@16 bus@20 device@24 pciDeviceId@28 pciSubSystemId@32 busId[32]@36 */
typedef struct {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;
_Static_assert(sizeof(nvmlPciInfo_t) == 68, "nvmlPciInfo_t is 68 bytes");

EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
  BEGIN_DEVICE("nvmlDeviceGetPciInfo_v3");
  if (!pci) END(NVML_ERROR_INVALID_ARGUMENT);
  memset(pci, 0, sizeof *pci);
  unsigned int domain = 0, bus = 0, dev = 0;
  sscanf(g->pci_bus_id, "%x:%x:%x", &domain, &bus, &dev);
  pci->domain = domain; pci->bus = bus; pci->device = dev;
  pci->pciDeviceId = g->pci_device_id; pci->pciSubSystemId = g->pci_subsystem_id;
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04X:%02X:%02X.0", domain & 0xffff, bus & 0xff, dev & 0xff);
  snprintf(pci->busId, sizeof pci->busId, "%s", g->pci_bus_id);
  END(NVML_SUCCESS);
}

/* ---------- memory, utilization, thermal, power ---------- */

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
_Static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t is 40 bytes");
#define NVML_MEMORY_V2 ((unsigned int)(sizeof(nvmlMemory_v2_t) | (2 << 24)))

EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  BEGIN_DEVICE("nvmlDeviceGetMemoryInfo");
  if (!memory) END(NVML_ERROR_INVALID_ARGUMENT);
  /* v1 counts reserved memory as used, as the real v1 does. */
  memory->total = g->mem_total; memory->free = g->mem_free; memory->used = g->mem_used + g->mem_reserved;
  END(NVML_SUCCESS);
}

#ifndef FAKE_NVML_LEGACY
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
  BEGIN_DEVICE("nvmlDeviceGetMemoryInfo_v2");
  if (!memory) END(NVML_ERROR_INVALID_ARGUMENT);
  if (memory->version != NVML_MEMORY_V2) END(NVML_ERROR_ARGUMENT_VERSION_MISMATCH);
  memory->total = g->mem_total; memory->reserved = g->mem_reserved; memory->free = g->mem_free; memory->used = g->mem_used;
  END(NVML_SUCCESS);
}
#endif

typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;

EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *u) {
  BEGIN_DEVICE("nvmlDeviceGetUtilizationRates");
  if (!u) END(NVML_ERROR_INVALID_ARGUMENT);
  u->gpu = g->util_gpu; u->memory = g->util_mem;
  END(NVML_SUCCESS);
}

static nvmlReturn_t codec_util(nvmlDevice_t device, const char *symbol, int decoder, unsigned int *util, unsigned int *periodUs) {
  BEGIN_DEVICE(symbol);
  if (!util || !periodUs) END(NVML_ERROR_INVALID_ARGUMENT);
  *util = decoder ? g->dec_util : g->enc_util; *periodUs = 167000;
  END(NVML_SUCCESS);
}
EXPORT nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t d, unsigned int *u, unsigned int *p) { return codec_util(d, "nvmlDeviceGetEncoderUtilization", 0, u, p); }
EXPORT nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t d, unsigned int *u, unsigned int *p) { return codec_util(d, "nvmlDeviceGetDecoderUtilization", 1, u, p); }

EXPORT nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensorType, unsigned int *temp) {
  BEGIN_DEVICE("nvmlDeviceGetTemperature");
  if (!temp || sensorType != 0) END(NVML_ERROR_INVALID_ARGUMENT);
  *temp = g->temp;
  END(NVML_SUCCESS);
}

#define U32_GETTER(symbol, field)                                        \
  EXPORT nvmlReturn_t symbol(nvmlDevice_t device, unsigned int *out) {   \
    BEGIN_DEVICE(#symbol);                                               \
    if (!out) END(NVML_ERROR_INVALID_ARGUMENT);                          \
    *out = g->field;                                                     \
    END(NVML_SUCCESS);                                                   \
  }
U32_GETTER(nvmlDeviceGetPowerUsage, power_mw)
U32_GETTER(nvmlDeviceGetEnforcedPowerLimit, enforced_mw)
U32_GETTER(nvmlDeviceGetPowerManagementLimit, mgmt_mw)
U32_GETTER(nvmlDeviceGetFanSpeed, fan)
U32_GETTER(nvmlDeviceGetPerformanceState, pstate)
U32_GETTER(nvmlDeviceGetPcieReplayCounter, pcie_replay)
U32_GETTER(nvmlDeviceGetComputeMode, compute_mode)

EXPORT nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy) {
  BEGIN_DEVICE("nvmlDeviceGetTotalEnergyConsumption");
  if (!energy) END(NVML_ERROR_INVALID_ARGUMENT);
  *energy = g->energy_mj;
  END(NVML_SUCCESS);
}

/* ---------- clocks ---------- */

static nvmlReturn_t clock_info(nvmlDevice_t device, const char *symbol, int max, int type, unsigned int *clock) {
  BEGIN_DEVICE(symbol);
  if (!clock || type < 0 || type > 3) END(NVML_ERROR_INVALID_ARGUMENT);
  *clock = max ? g->max_clock[type] : g->clock[type];
  END(NVML_SUCCESS);
}
EXPORT nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *c) { return clock_info(d, "nvmlDeviceGetClockInfo", 0, type, c); }
EXPORT nvmlReturn_t nvmlDeviceGetMaxClockInfo(nvmlDevice_t d, int type, unsigned int *c) { return clock_info(d, "nvmlDeviceGetMaxClockInfo", 1, type, c); }

static nvmlReturn_t event_reasons(nvmlDevice_t device, const char *symbol, unsigned long long *reasons) {
  BEGIN_DEVICE(symbol);
  if (!reasons) END(NVML_ERROR_INVALID_ARGUMENT);
  *reasons = g->event_reasons;
  END(NVML_SUCCESS);
}
#ifndef FAKE_NVML_LEGACY
EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t d, unsigned long long *r) { return event_reasons(d, "nvmlDeviceGetCurrentClocksEventReasons", r); }
#endif
EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *r) { return event_reasons(d, "nvmlDeviceGetCurrentClocksThrottleReasons", r); }

/* ---------- PCIe ---------- */

EXPORT nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t device, int counter, unsigned int *value) {
  unsigned int v;
  {
    BEGIN_DEVICE("nvmlDeviceGetPcieThroughput");
    if (!value || counter < 0 || counter > 1) END(NVML_ERROR_INVALID_ARGUMENT);
    v = counter == 0 ? g->pcie_tx : g->pcie_rx;
    pthread_mutex_unlock(&lock);
  }
  /* The real call measures over a 20 ms window; keep its cost so a blocking caller shows. */
  struct timespec window = {0, 20 * 1000000L};
  while (nanosleep(&window, &window) == -1 && errno == EINTR) {}
  *value = v;
  return NVML_SUCCESS;
}

/* ---------- ECC, retired pages, remapped rows ---------- */

EXPORT nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t device, int errorType, int counterType, unsigned long long *count) {
  BEGIN_DEVICE("nvmlDeviceGetTotalEccErrors");
  if (!count || errorType < 0 || errorType > 1 || counterType < 0 || counterType > 1) END(NVML_ERROR_INVALID_ARGUMENT);
  *count = g->ecc[errorType][counterType];
  END(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetRetiredPages(nvmlDevice_t device, int cause, unsigned int *pageCount, unsigned long long *addresses) {
  BEGIN_DEVICE("nvmlDeviceGetRetiredPages");
  if (!pageCount || cause < 0 || cause > 1) END(NVML_ERROR_INVALID_ARGUMENT);
  unsigned int n = g->retired[cause];
  if (*pageCount < n) { *pageCount = n; END(NVML_ERROR_INSUFFICIENT_SIZE); }
  if (n && !addresses) END(NVML_ERROR_INVALID_ARGUMENT);
  for (unsigned int i = 0; i < n; i++) addresses[i] = 0x100000ULL * (i + 1);
  *pageCount = n;
  END(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice_t device, unsigned int *isPending) {
  BEGIN_DEVICE("nvmlDeviceGetRetiredPagesPendingStatus");
  if (!isPending) END(NVML_ERROR_INVALID_ARGUMENT);
  *isPending = g->retired_pending ? 1 : 0;
  END(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetRemappedRows(nvmlDevice_t device, unsigned int *corr, unsigned int *unc, unsigned int *pending, unsigned int *failure) {
  BEGIN_DEVICE("nvmlDeviceGetRemappedRows");
  if (!corr || !unc || !pending || !failure) END(NVML_ERROR_INVALID_ARGUMENT);
  *corr = g->remap_cor; *unc = g->remap_unc; *pending = g->remap_pending ? 1 : 0; *failure = g->remap_failure ? 1 : 0;
  END(NVML_SUCCESS);
}

/* ---------- MIG, processes ---------- */

EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *current, unsigned int *pending) {
  BEGIN_DEVICE("nvmlDeviceGetMigMode");
  if (!current || !pending) END(NVML_ERROR_INVALID_ARGUMENT);
  *current = g->mig_current; *pending = g->mig_pending;
  END(NVML_SUCCESS);
}

/* nvmlProcessInfo_t (v2 layout, used by _v3), 24 bytes: pid@0 usedGpuMemory@8 gpuInstanceId@16 computeInstanceId@20 */
typedef struct { unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId; } nvmlProcessInfo_t;
_Static_assert(sizeof(nvmlProcessInfo_t) == 24, "nvmlProcessInfo_t is 24 bytes");

EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_t *infos) {
  BEGIN_DEVICE("nvmlDeviceGetComputeRunningProcesses_v3");
  if (!infoCount) END(NVML_ERROR_INVALID_ARGUMENT);
  unsigned int n = (unsigned int)g->nproc;
  if (*infoCount < n) { *infoCount = n; END(NVML_ERROR_INSUFFICIENT_SIZE); }
  if (n && !infos) END(NVML_ERROR_INVALID_ARGUMENT);
  for (unsigned int i = 0; i < n; i++) {
    infos[i].pid = g->proc[i].pid; infos[i].usedGpuMemory = g->proc[i].used;
    infos[i].gpuInstanceId = 0xFFFFFFFFu; infos[i].computeInstanceId = 0xFFFFFFFFu;
  }
  *infoCount = n;
  END(NVML_SUCCESS);
}

/* ---------- events ---------- */

#define NVML_EVENT_TYPE_XID 0x8ULL

/* nvmlEventData_t, 32 bytes: device@0 eventType@8 eventData@16 gpuInstanceId@24 computeInstanceId@28 */
typedef struct { nvmlDevice_t device; unsigned long long eventType, eventData; unsigned int gpuInstanceId, computeInstanceId; } nvmlEventData_t;
_Static_assert(sizeof(nvmlEventData_t) == 32, "nvmlEventData_t is 32 bytes");

EXPORT nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set) {
  BEGIN_SYSTEM("nvmlEventSetCreate");
  if (!set) END(NVML_ERROR_INVALID_ARGUMENT);
  event_set_st *s = calloc(1, sizeof *s);
  if (!s) END(20);
  *set = s;
  END(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetSupportedEventTypes(nvmlDevice_t device, unsigned long long *eventTypes) {
  BEGIN_DEVICE("nvmlDeviceGetSupportedEventTypes");
  (void)g;
  if (!eventTypes) END(NVML_ERROR_INVALID_ARGUMENT);
  *eventTypes = NVML_EVENT_TYPE_XID;
  END(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t device, unsigned long long eventTypes, nvmlEventSet_t set) {
  BEGIN_DEVICE("nvmlDeviceRegisterEvents");
  (void)g;
  if (!set) END(NVML_ERROR_INVALID_ARGUMENT);
  if (eventTypes & ~NVML_EVENT_TYPE_XID) END(NVML_ERROR_NOT_SUPPORTED);
  set->mask[device->index] |= eventTypes;
  END(NVML_SUCCESS);
}

static int delivered(const event_set_st *s, unsigned long long id) {
  for (int i = 0; i < s->ndelivered; i++) if (s->delivered[i] == id) return 1;
  return 0;
}

/* Forgets delivered ids no longer in the file, so the list stays bounded by MAX_EVENTS. */
static void prune_delivered(event_set_st *s) {
  int kept = 0;
  for (int i = 0; i < s->ndelivered; i++) {
    for (int e = 0; e < cur->nevents; e++) if (cur->events[e].id == s->delivered[i]) { s->delivered[kept++] = s->delivered[i]; break; }
  }
  s->ndelivered = kept;
}

EXPORT nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutms) {
  if (!set || !data) return init_count ? NVML_ERROR_INVALID_ARGUMENT : NVML_ERROR_UNINITIALIZED;
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    BEGIN_SYSTEM("nvmlEventSetWait_v2");
    if (set->ndelivered >= MAX_EVENTS) prune_delivered(set);
    for (int e = 0; e < cur->nevents; e++) {
      fake_event *ev = &cur->events[e];
      if (ev->gpu >= cur->count || !(set->mask[ev->gpu] & NVML_EVENT_TYPE_XID) || delivered(set, ev->id)) continue;
      if (set->ndelivered < MAX_EVENTS) set->delivered[set->ndelivered++] = ev->id;
      data->device = &handles[ev->gpu]; data->eventType = NVML_EVENT_TYPE_XID; data->eventData = ev->xid;
      data->gpuInstanceId = 0xFFFFFFFFu; data->computeInstanceId = 0xFFFFFFFFu;
      END(NVML_SUCCESS);
    }
    pthread_mutex_unlock(&lock);
    clock_gettime(CLOCK_MONOTONIC, &now);
    long left = (long)timeoutms - elapsed_ms(&start, &now);
    if (left <= 0) return NVML_ERROR_TIMEOUT;
    struct timespec nap = {0, (left < 5 ? left : 5) * 1000000L};
    nanosleep(&nap, NULL);
  }
}

EXPORT nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  BEGIN_SYSTEM("nvmlEventSetFree");
  if (!set) END(NVML_ERROR_INVALID_ARGUMENT);
  free(set);
  END(NVML_SUCCESS);
}
