package dev.jacflux.service.jobs;

import dev.jacflux.config.JobKind;
import dev.jacflux.model.Sequential;
import java.util.Arrays;
import java.util.stream.LongStream;

/**
 * The shape of a job's answer for {@code B} samples, and its size in bytes, known before anything
 * is computed (so that an answer over {@code jacflux.limits.max-result-size} is refused first).
 *
 * <pre>{@code
 * long[] s = ResultShape.of(JobKind.BATCH_JACOBIAN, architecture, 1000);   // [1000, 10, 784]
 * long bytes = ResultShape.bytes(s, 4);                                     // 31360000
 * }</pre>
 */
public final class ResultShape {
    private ResultShape() {
    }

    /**
     * {@code [B, *out, *in]} (batch Jacobian), {@code [B, *out, B, *in]} (full), {@code [B, D_y, M]}
     * (parameter Jacobian), {@code [B, M]} (gradients) or {@code [B]} (gradient norms).
     */
    public static long[] of(JobKind kind, Sequential model, long samples) {
        long[] in = model.inputShape();
        long[] out = model.outputShape();
        long m = model.parameterLayout().size();
        return switch (kind) {
            case BATCH_JACOBIAN -> concat(new long[] {samples}, out, in);
            case FULL_JACOBIAN -> concat(new long[] {samples}, out, new long[] {samples}, in);
            case PER_SAMPLE_PARAM_JACOBIAN -> new long[] {samples, LongStream.of(out).reduce(1, (a, b) -> a * b), m};
            case PER_SAMPLE_GRADIENTS -> new long[] {samples, m};
            case PER_SAMPLE_GRADIENT_NORMS -> new long[] {samples};
        };
    }

    /** Bytes of an array of {@code shape} with {@code width}-byte elements; {@code Long.MAX_VALUE} if that overflows. */
    public static long bytes(long[] shape, int width) {
        long n = width;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        return n;
    }

    private static long[] concat(long[]... parts) {
        return Arrays.stream(parts).flatMapToLong(LongStream::of).toArray();
    }
}
