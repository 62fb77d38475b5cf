package dev.jacflux.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a report's figures come from: cores, CPU model, Java, ND4J version and threads,
 * {@code OMP_NUM_THREADS}, maximum heap.
 *
 * <pre>{@code
 * Map<String, String> m = Machine.describe();
 * m.get("cores");              // "2"
 * m.get("omp_num_threads");    // "2" or "unset"
 * }</pre>
 */
public final class Machine {
    private Machine() {
    }

    /** The machine's description, in a fixed key order. */
    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("cpu", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("max_heap_bytes", Long.toString(Runtime.getRuntime().maxMemory()));
        m.put("nd4j", nd4jVersion());
        String omp = System.getenv("OMP_NUM_THREADS");
        m.put("omp_num_threads", omp == null ? "unset" : omp);
        try {
            m.put("nd4j_threads", Integer.toString(Nd4j.getEnvironment().maxThreads()));
            m.put("nd4j_master_threads", Integer.toString(Nd4j.getEnvironment().maxMasterThreads()));
            m.put("blas", String.valueOf(Nd4j.factory().blas().getBlasVendor()));
        } catch (RuntimeException | LinkageError e) {
            m.put("nd4j_threads", "unknown (" + e.getClass().getSimpleName() + ")");
        }
        m.put("memory_probe", MemoryProbe.method());
        String mmap = System.getenv("MALLOC_MMAP_THRESHOLD_");
        m.put("malloc_mmap_threshold", mmap == null ? "glibc default (dynamic)" : mmap);
        m.put("jvm_args", String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        m.put("load_average", loadAverage());
        return m;
    }

    /** The 1-minute system load average now (the machine is shared: a high value means noisy figures). */
    public static String loadAverage() {
        double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.2f", l);
    }

    /** One line for table headers. */
    public static String summary(Map<String, String> m) {
        return m.get("cores") + " cores (" + m.get("cpu") + "), " + m.get("java") + ", ND4J " + m.get("nd4j") + " (" + m.get("blas")
                + "), OMP_NUM_THREADS=" + m.get("omp_num_threads") + ", ND4J threads " + m.get("nd4j_threads") + ", load average "
                + m.getOrDefault("load_average_start", "?") + " -> " + m.getOrDefault("load_average", "?");
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
        return System.getProperty("os.arch");
    }

    private static String nd4jVersion() {
        String v = Nd4j.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try {
            String loc = Nd4j.class.getProtectionDomain().getCodeSource().getLocation().getPath();
            java.util.regex.Matcher mt = java.util.regex.Pattern.compile("nd4j-api-([^/]+)\\.jar").matcher(loc);
            if (mt.find()) {
                return mt.group(1);
            }
        } catch (RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }
}
