package dev.jacflux.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of one method, heap and off-heap.
 *
 * <p>ND4J's native buffers are not counted by JavaCPP's {@code Pointer.totalBytes()} (checked: a
 * 235 MB array leaves it at about 100 bytes), so off-heap memory is measured on the process: a
 * background thread samples the process's <em>anonymous</em> resident memory every millisecond
 * ({@code resident - shared} pages of {@code /proc/self/statm}; where that file does not exist,
 * JavaCPP's {@code Pointer.physicalBytes()}). File-backed pages are left out on purpose: on this
 * machine a kernel daemon (DAMON, action {@code pageout}) drops cold pages of mapped files (the
 * 400 MB of native libraries) at any time, which made the total resident set shrink during a
 * method's runs and its figure read zero. The off-heap figure of a method is the sampled peak
 * minus the anonymous memory just before the method's setup (after a GC), so it includes the
 * method's result buffer and every native array it held at once, and excludes the inputs shared
 * by all methods.
 *
 * <p>To keep it honest: run with {@code -Xms} = {@code -Xmx} and {@code -XX:+AlwaysPreTouch}, so
 * that heap pages touched for the first time do not count as off-heap growth; and with
 * {@code MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=0}, because glibc otherwise keeps
 * freed blocks below its dynamic (up to 32 MB) mmap threshold for reuse, so a method can reuse
 * memory freed by an earlier one without growing the resident set and read too low. The process's
 * absolute peak resident set (the kernel's {@code VmHWM}, reset through
 * {@code /proc/self/clear_refs}) is reported alongside, for reference.
 *
 * <p>Resolution: in a long run of several cases, later methods can read up to about 30 MiB low
 * (native memory of the JVM and of finished threads shrinking during their windows); figures of
 * 100 MiB and more are reliable, small ones should be taken from a case run alone.
 *
 * <p>The heap figure is the sum over heap pools of their peak usage since the reset, minus the heap
 * in use before the setup (an upper bound: the pools' peaks need not coincide).
 *
 * <pre>{@code
 * MemoryProbe.settle();
 * MemoryProbe.Baseline base = MemoryProbe.baseline();
 * // ... setup and warm-up ...
 * MemoryProbe.Window w = MemoryProbe.startWindow();
 * // ... timed runs ...
 * MemoryProbe.Peak peak = w.stop(base);
 * }</pre>
 */
public final class MemoryProbe {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path STATM = Path.of("/proc/self/statm");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
    private static final long PAGE = pageSize();

    private MemoryProbe() {
    }

    /**
     * Memory in use before a method's setup.
     *
     * <pre>{@code
     * MemoryProbe.Baseline base = MemoryProbe.baseline();   // after MemoryProbe.settle()
     * }</pre>
     */
    public record Baseline(long heapUsed, long anon) {
    }

    /**
     * A method's peaks: heap, off-heap (anonymous resident memory growth), and the process's
     * absolute peak resident set ({@code -1} if unknown).
     *
     * <pre>{@code
     * MemoryProbe.Peak peak = window.stop(base);
     * long bytes = peak.totalBytes();   // heap + off-heap
     * }</pre>
     */
    public record Peak(long heapBytes, long offHeapBytes, long rssBytes) {
        /** Heap plus off-heap. */
        public long totalBytes() {
            return heapBytes + offHeapBytes;
        }
    }

    /**
     * Collects garbage until the anonymous resident memory stops shrinking (at least twice, at most
     * ten times, 50 ms apart), so that ND4J's deallocator has freed the native buffers of
     * unreachable arrays before a baseline is taken.
     */
    public static void settle() {
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = anonBytes();
            if (i >= 1 && previous - now < (1L << 20)) {
                return;
            }
            previous = now;
        }
    }

    /** Heap in use and anonymous resident memory now. */
    public static Baseline baseline() {
        return new Baseline(heapUsed(), anonBytes());
    }

    /** Resets the peak counters and starts measuring. */
    public static Window startWindow() {
        for (MemoryPoolMXBean p : heapPools()) {
            p.resetPeakUsage();
        }
        return new Window();
    }

    /**
     * An open measurement.
     *
     * <pre>{@code
     * MemoryProbe.Window w = MemoryProbe.startWindow();
     * runTimedRuns();
     * MemoryProbe.Peak peak = w.stop(base);
     * }</pre>
     */
    public static final class Window {
        private final boolean kernelPeak;
        private final Sampler sampler;

        private Window() {
            this.kernelPeak = resetKernelPeak();
            this.sampler = new Sampler();
        }

        /** The number of samples taken so far (tests wait on it to know the sampler has seen a state). */
        long samples() {
            return sampler.samples;
        }

        /** Stops measuring and returns the peaks relative to {@code base}. */
        public Peak stop(Baseline base) {
            long peakAnon = sampler.stop();
            long peakRss = kernelPeak ? statusKb("VmHWM:") * 1024 : -1;
            long heapPeak = 0;
            for (MemoryPoolMXBean p : heapPools()) {
                heapPeak += p.getPeakUsage().getUsed();
            }
            return new Peak(Math.max(0, heapPeak - base.heapUsed()), Math.max(0, peakAnon - base.anon()), peakRss);
        }
    }

    /** Samples the anonymous resident memory every millisecond on a daemon thread. */
    private static final class Sampler implements Runnable {
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long peak = anonBytes();
        private volatile long samples;

        Sampler() {
            thread = new Thread(this, "jacflux-bench-memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            while (running) {
                long v = anonBytes();
                if (v > peak) {
                    peak = v;
                }
                samples++;
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long stop() {
            running = false;
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Math.max(peak, anonBytes());
        }
    }

    /** How off-heap memory is measured here: {@code statm anon} or {@code JavaCPP physicalBytes}. */
    public static String method() {
        return Files.isReadable(STATM) ? "anonymous RSS sampled every 1 ms" : "JavaCPP physicalBytes sampled every 1 ms";
    }

    /** Whether the kernel's peak resident set can be reset on this machine. */
    public static boolean kernelPeakAvailable() {
        return Files.isWritable(CLEAR_REFS) && statusKb("VmHWM:") > 0;
    }

    private static boolean resetKernelPeak() {
        if (!kernelPeakAvailable()) {
            return false;
        }
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /**
     * The process's anonymous resident memory in bytes ({@code resident - shared} pages of
     * {@code /proc/self/statm}), or JavaCPP's {@code Pointer.physicalBytes()} where that file does
     * not exist.
     */
    public static long anonBytes() {
        try (RandomAccessFile f = new RandomAccessFile(STATM.toFile(), "r")) {
            byte[] buf = new byte[128];
            int n = f.read(buf);
            String[] parts = new String(buf, 0, Math.max(0, n), StandardCharsets.US_ASCII).trim().split("\\s+");
            return (Long.parseLong(parts[1]) - Long.parseLong(parts[2])) * PAGE;
        } catch (IOException | RuntimeException e) {
            return Pointer.physicalBytes();
        }
    }

    private static long pageSize() {
        try {
            String[] parts = Files.readString(STATM).trim().split("\\s+");
            long pages = Long.parseLong(parts[1]);
            long kb = statusKb("VmRSS:");
            if (pages > 0 && kb > 0) {
                long p = kb * 1024 / pages;
                return Long.highestOneBit(Math.max(4096, p + p / 8));
            }
        } catch (IOException | RuntimeException e) {
            return 4096;
        }
        return 4096;
    }

    private static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long heapUsed() {
        long used = 0;
        for (MemoryPoolMXBean p : heapPools()) {
            used += p.getUsage().getUsed();
        }
        return used;
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();
    }
}
