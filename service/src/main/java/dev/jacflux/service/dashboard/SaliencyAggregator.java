package dev.jacflux.service.dashboard;

import dev.jacflux.config.JobKind;
import dev.jacflux.service.jobs.JobResultListener;
import dev.jacflux.service.models.StoredModel;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds the dashboard's saliency heatmap from the batch results of batch-Jacobian requests
 * ({@code wrt=input}) on models whose input is an image ({@code [C, H, W]} or {@code [H, W]}): the
 * sum of {@code |J|} over each batch's samples and outputs is added up per input pixel, and the map
 * is the mean over the request's samples, outputs and channels. A new request replaces the map of
 * the previous one (a batch of an older request that is still streaming is ignored). Other jobs and
 * models are passed over at the cost of a comparison.
 *
 * <pre>{@code
 * SaliencyAggregator s = new SaliencyAggregator(System::currentTimeMillis);
 * s.resultWritten("req-1", model, JobKind.BATCH_JACOBIAN, jacobian);   // [B, 10, 1, 28, 28]
 * s.latest().get().values();                                          // 28 x 28, relative to max
 * }</pre>
 */
public final class SaliencyAggregator implements JobResultListener {
    /** Largest side of the map sent; larger images are averaged by square blocks. */
    public static final int MAX_SIDE = 64;
    private static final int REMEMBERED = 32;

    private final LongSupplier clock;
    private final LinkedHashSet<String> seen = new LinkedHashSet<>();
    private Accumulator current;
    private SaliencyMap latest;
    private long version;

    /** An aggregator stamping maps with {@code clock} (milliseconds since the epoch). */
    public SaliencyAggregator(LongSupplier clock) {
        this.clock = clock;
    }

    /** Whether a model's per-sample input is an image: {@code [C, H, W]} or {@code [H, W]} with sides of at least 2. */
    public static boolean isImage(long[] inputShape) {
        int r = inputShape.length;
        return (r == 2 || r == 3) && inputShape[r - 1] >= 2 && inputShape[r - 2] >= 2;
    }

    @Override
    public void resultWritten(String requestId, StoredModel model, JobKind kind, INDArray result) {
        long[] in = model.architecture().inputShape();
        if (kind != JobKind.BATCH_JACOBIAN || !isImage(in)) {
            return;
        }
        long cols = 1;
        for (long d : in) {
            cols *= d;
        }
        long rows = result.length() / cols;
        int samples = (int) result.size(0);
        // sum over samples and outputs of |J|, per input element: one pass, no copy of the result
        double[] sums = result.reshape('c', rows, cols).norm1(0).toDoubleVector();
        synchronized (this) {
            if (current == null || !current.requestId.equals(requestId)) {
                if (seen.contains(requestId)) {
                    return;   // a batch of an older request, still streaming
                }
                remember(requestId);
                current = new Accumulator(requestId, model.id(), in, sums.length);
            }
            current.add(sums, rows, samples);
            latest = current.map(clock.getAsLong());
            version++;
        }
    }

    private void remember(String requestId) {
        seen.add(requestId);
        if (seen.size() > REMEMBERED) {
            seen.remove(seen.iterator().next());
        }
    }

    /** The map of the latest request, if any. */
    public synchronized Optional<SaliencyMap> latest() {
        return Optional.ofNullable(latest);
    }

    /** Incremented whenever the map changes. */
    public synchronized long version() {
        return version;
    }

    /** One request's running sums. */
    private static final class Accumulator {
        final String requestId;
        final String model;
        final int channels;
        final int height;
        final int width;
        final double[] sums;
        long rows;
        long samples;
        long batches;

        Accumulator(String requestId, String model, long[] inputShape, int length) {
            this.requestId = requestId;
            this.model = model;
            int r = inputShape.length;
            this.channels = r == 3 ? (int) inputShape[0] : 1;
            this.height = (int) inputShape[r - 2];
            this.width = (int) inputShape[r - 1];
            this.sums = new double[length];
        }

        void add(double[] batchSums, long batchRows, int batchSamples) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] += batchSums[i];
            }
            rows += batchRows;
            samples += batchSamples;
            batches++;
        }

        SaliencyMap map(long t) {
            int block = Math.max(1, (Math.max(height, width) + MAX_SIDE - 1) / MAX_SIDE);
            int h = (height + block - 1) / block;
            int w = (width + block - 1) / block;
            double[] v = new double[h * w];
            int[] n = new int[h * w];
            int plane = height * width;
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int cell = (y / block) * w + x / block;
                        v[cell] += sums[c * plane + y * width + x];
                        n[cell]++;
                    }
                }
            }
            double max = 0;
            double total = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] / n[i] / rows;   // mean over the cell's pixels and channels, and over samples x outputs
                max = Math.max(max, v[i]);
                total += v[i];
            }
            double[] rel = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                rel[i] = max > 0 ? Math.round(v[i] / max * 1000) / 1000.0 : 0;
            }
            return new SaliencyMap(requestId, model, t, channels, h, w, block, batches, samples, max, total / v.length, rel);
        }
    }
}
