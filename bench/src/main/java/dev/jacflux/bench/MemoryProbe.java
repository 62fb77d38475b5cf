package dev.jacflux.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of one method, heap and off-heap.
 *
 * <p>ND4J's native buffers are not counted by JavaCPP's {@code Pointer.totalBytes()} (checked: a
 * 235 MB array leaves it at about 100 bytes), so off-heap memory is measured on the whole process:
 * on Linux, the kernel's peak resident set {@code VmHWM} of {@code /proc/self/status}, reset by
 * writing {@code 5} to {@code /proc/self/clear_refs}; elsewhere (or if that file is not writable) a
 * background thread samples JavaCPP's {@code Pointer.physicalBytes()} (the resident set) every
 * millisecond. The off-heap figure of a method is that peak minus the resident set measured just
 * before the method's setup (after a GC), so it includes the method's result buffer and every
 * native array it held at once, and excludes the inputs shared by all methods. Heap pages touched
 * for the first time also count; running with {@code -Xms} = {@code -Xmx} and
 * {@code -XX:+AlwaysPreTouch} makes the heap resident from the start and removes them.
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
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private MemoryProbe() {
    }

    /** Memory in use before a method's setup. */
    public record Baseline(long heapUsed, long rss) {
    }

    /** A method's peaks: heap, off-heap (resident set growth), and the process's absolute peak resident set. */
    public record Peak(long heapBytes, long offHeapBytes, long rssBytes, String source) {
        /** Heap plus off-heap. */
        public long totalBytes() {
            return heapBytes + offHeapBytes;
        }
    }

    /**
     * Collects garbage until the resident set stops shrinking (at least twice, at most ten times,
     * 50 ms apart), so that ND4J's deallocator has freed the native buffers of unreachable arrays
     * before a baseline is taken.
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
            long now = rss();
            if (i >= 1 && previous - now < (1L << 20)) {
                return;
            }
            previous = now;
        }
    }

    /** Heap in use and resident set now. */
    public static Baseline baseline() {
        return new Baseline(heapUsed(), rss());
    }

    /** Resets the peak counters and starts measuring. */
    public static Window startWindow() {
        for (MemoryPoolMXBean p : heapPools()) {
            p.resetPeakUsage();
        }
        return new Window();
    }

    /** An open measurement. */
    public static final class Window {
        private final boolean kernelPeak;
        private final Sampler sampler;

        private Window() {
            this.kernelPeak = resetKernelPeak();
            this.sampler = kernelPeak ? null : new Sampler();
        }

        /** Stops measuring and returns the peaks relative to {@code base}. */
        public Peak stop(Baseline base) {
            long peakRss;
            String source;
            if (kernelPeak) {
                peakRss = statusKb("VmHWM:") * 1024;
                source = "VmHWM";
            } else {
                peakRss = sampler.stop();
                source = "sampled RSS";
            }
            long heapPeak = 0;
            for (MemoryPoolMXBean p : heapPools()) {
                heapPeak += p.getPeakUsage().getUsed();
            }
            return new Peak(Math.max(0, heapPeak - base.heapUsed()), Math.max(0, peakRss - base.rss()), peakRss, source);
        }
    }

    /** Samples the resident set every millisecond on a daemon thread. */
    private static final class Sampler implements Runnable {
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long peak = rss();

        Sampler() {
            thread = new Thread(this, "jacflux-bench-memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            while (running) {
                long v = rss();
                if (v > peak) {
                    peak = v;
                }
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
            return Math.max(peak, rss());
        }
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

    /** The process's resident set in bytes. */
    public static long rss() {
        long kb = statusKb("VmRSS:");
        return kb > 0 ? kb * 1024 : Pointer.physicalBytes();
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
