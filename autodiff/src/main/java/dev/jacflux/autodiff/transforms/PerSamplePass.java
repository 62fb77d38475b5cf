package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.engine.Graph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The shared machinery of the per-sample transforms: validates a batch, its targets and the
 * parameters, runs the function on a slice of samples, and pulls a seed back in the engine's
 * per-sample mode, where parameter cotangents keep the sample axis ({@code [K, n, *shape]})
 * instead of being summed over it.
 */
final class PerSamplePass {
    private final String what;
    private final PerSampleFunction f;
    private final INDArray x;
    private final INDArray targets;
    private final List<INDArray> params;
    private final ParameterLayout layout;

    PerSamplePass(String what, PerSampleFunction f, INDArray x, INDArray targets, List<INDArray> params, List<String> names) {
        this.what = what;
        this.f = f;
        this.x = x;
        this.targets = targets;
        this.params = List.copyOf(params);
        if (x.rank() < 1 || x.size(0) == 0) {
            throw new AutodiffException(what + ": empty batch: input shape " + Shapes.str(x.shape()) + "; expected [N, *in] with N >= 1");
        }
        if (params.isEmpty()) {
            throw new AutodiffException(what + ": no parameters to differentiate");
        }
        if (targets != null && (targets.rank() < 1 || targets.size(0) != x.size(0))) {
            throw new AutodiffException(what + ": targets " + Shapes.str(targets.shape()) + " do not match the batch of "
                    + x.size(0) + " samples (input " + Shapes.str(x.shape()) + ")");
        }
        List<long[]> shapes = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            INDArray p = params.get(i);
            if (p.dataType() != x.dataType()) {
                throw new AutodiffException(what + ": parameter " + name(names, i) + " has dtype " + p.dataType()
                        + " but the input has " + x.dataType());
            }
            shapes.add(p.shape());
        }
        List<String> n = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            n.add(name(names, i));
        }
        this.layout = ParameterLayout.of(n, shapes);
    }

    private static String name(List<String> names, int i) {
        return names != null && i < names.size() ? names.get(i) : "param" + i;
    }

    private final java.util.concurrent.atomic.AtomicReference<Recorded> first = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile RowChunk firstChunk;

    /**
     * Runs the forward pass of the first chunk now (so that the forward stage does the forward
     * work and shape errors surface before any chunk is scheduled); {@link #recordOnce} hands it
     * to that chunk's reverse pass.
     */
    void recordFirst(RowChunk chunk) {
        firstChunk = chunk;
        first.set(record(chunk));
    }

    /** The forward pass of {@code chunk}: the one recorded up front if this is the first chunk, else a new one. */
    Recorded recordOnce(RowChunk chunk) {
        if (chunk.equals(firstChunk)) {
            Recorded r = first.getAndSet(null);
            if (r != null) {
                return r;
            }
        }
        return record(chunk);
    }

    ParameterLayout layout() {
        return layout;
    }

    long samples() {
        return x.size(0);
    }

    DataType dtype() {
        return x.dataType();
    }

    /** The recorded outputs for samples {@code [start, start + n)} with the watched input and parameters. */
    Recorded record(RowChunk samples) {
        INDArray xs = samples.rowsOf(x);
        INDArray ts = targets == null ? null : samples.rowsOf(targets);
        Tensor input = Tensor.variable(xs, "input");
        List<Tensor> ps = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            ps.add(Tensor.variable(params.get(i), layout.names().get(i)));
        }
        Tensor out;
        try (GradMode.Scope ignored = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
            out = f.apply(input, ts, ps);
        }
        if (out.rank() < 1 || out.size(0) != samples.count()) {
            throw new AutodiffException(what + ": the function maps " + samples.count() + " samples " + Shapes.str(xs.shape())
                    + " to " + Shapes.str(out.shape()) + ", which does not keep one row per sample first");
        }
        if (out.dtype() != x.dataType()) {
            throw new AutodiffException(what + ": output dtype " + out.dtype() + " differs from input dtype " + x.dataType());
        }
        return new Recorded(input, ps, out, samples.count());
    }


    /** Working memory of one sample with {@code rows} cotangent rows, from a one-sample probe. */
    long bytesPerSample(long rows) {
        Recorded probe = record(new RowChunk(0, 0, 1));
        long activations = 0;
        for (Tensor t : Graph.topologicalOrder(List.of(probe.output()))) {
            activations += t.numel();
        }
        return rows * (2 * activations + 2 * layout.size()) * x.dataType().width();
    }

    /** A forward pass over a slice of samples. */
    record Recorded(Tensor input, List<Tensor> params, Tensor output, long samples) {

        /**
         * Pulls {@code seed} ({@code [K, ...]} over the output) back in per-sample mode and returns each
         * parameter's cotangent as {@code [K, n, *shape]} (expanded; zeros where it does not depend).
         */
        List<INDArray> pullPerSample(Tensor seed, int rows) {
            return pullPerSample(seed, rows, java.util.Map.of());
        }

        /**
         * As {@link #pullPerSample(Tensor, int)}, offering {@code destinations} (per parameter index,
         * {@code [K, n, *shape]} views of the result) for rules to write into; an entry of the returned
         * list is then the destination itself.
         */
        List<INDArray> pullPerSample(Tensor seed, int rows, java.util.Map<Integer, INDArray> destinations) {
            java.util.Map<Tensor, INDArray> dest = new java.util.HashMap<>();
            destinations.forEach((i, d) -> dest.put(params.get(i), d));
            List<Tensor> grads = Backprop.pullback(List.of(output), List.of(seed), params,
                    Backprop.Options.perSample(Set.of(input), samples).withDestinations(dest));
            List<INDArray> out = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                long[] want = Shapes.concat(new long[] {rows, samples}, params.get(i).shape());
                Tensor g = grads.get(i);
                if (g == null) {
                    out.add(Nd4j.zeros(output.dtype(), want));
                } else {
                    out.add(Arrays.equals(g.shape(), want) ? g.value() : g.value().broadcast(want));
                }
            }
            return out;
        }
    }
}
