package dev.jacflux.autodiff.engine;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.PerSampleSupport;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The reverse sweep. Given outputs and their cotangents ({@code [L..., *shape(out)]}, the same
 * leading basis axes for every output), it pulls the cotangents back through the recorded graph
 * and returns the cotangents of the requested tensors, {@code [L..., *shape(wrt)]} (size-1
 * dimensions where the cotangent is constant along an axis).
 *
 * <p>Cotangents are kept in a map local to the call, never on graph nodes, so several threads may
 * pull back from one graph at once.
 *
 * <pre>{@code
 * Tensor x = Tensor.variable(xs);                // [B, n]
 * Tensor y = x.matmul(w).tanh();                 // [B, m]
 * Tensor seed = Tensor.constant(oneHotRows);     // [K, 1, m]: rows k0..k0+K of every sample
 * Tensor gx = Backprop.pullback(List.of(y), List.of(seed), List.of(x), Backprop.Options.DEFAULT).get(0);
 * // gx [K, B, n]: gx[k, b] = d y[b, k0 + k] / d x[b]
 * }</pre>
 */
public final class Backprop {
    private Backprop() {
    }

    /**
     * Per-sample mode: cotangents of values that do not depend on {@code batchInputs} keep a batch
     * axis of size {@code batchSize} ({@code [L..., B, *shape]}) instead of being summed over it.
     */
    public record PerSample(Set<Tensor> batchInputs, long batchSize) {
        public PerSample {
            batchInputs = Set.copyOf(batchInputs);
            if (batchSize <= 0) {
                throw new AutodiffException("per-sample mode: batch size must be positive, got " + batchSize);
            }
        }
    }

    /**
     * Options of one reverse sweep.
     *
     * @param createGraph record the pullback itself so that its result can be differentiated again
     * @param perSample per-sample mode, or {@code null}
     * @param destinations optional arrays that the cotangents of some wanted leaves should be written
     *     into ({@code [L..., *shape]}, or per sample {@code [L..., B, *shape]}, typically views of a
     *     final result); a rule that can, writes there directly and returns the destination itself,
     *     so that the caller need not copy (see {@link VjpContext#destination(int)})
     */
    public record Options(boolean createGraph, PerSample perSample, Map<Tensor, INDArray> destinations) {
        /** First order, no per-sample mode. */
        public static final Options DEFAULT = new Options(false, null, Map.of());

        public Options {
            destinations = destinations == null ? Map.of() : Map.copyOf(destinations);
        }

        /** Second order: the returned cotangents are differentiable. */
        public static Options secondOrder() {
            return new Options(true, null, Map.of());
        }

        /** Per-sample mode over the given batch inputs. */
        public static Options perSample(Set<Tensor> batchInputs, long batchSize) {
            return new Options(false, new PerSample(batchInputs, batchSize), Map.of());
        }

        /** The same options with destinations for some leaves' cotangents. */
        public Options withDestinations(Map<Tensor, INDArray> dest) {
            return new Options(createGraph, perSample, dest);
        }
    }

    /**
     * Pulls {@code cotangents} back from {@code outputs} to {@code wrt}.
     *
     * @return one cotangent per entry of {@code wrt}, or {@code null} where no output depends on it
     */
    public static List<Tensor> pullback(List<Tensor> outputs, List<Tensor> cotangents, List<Tensor> wrt, Options options) {
        if (outputs.size() != cotangents.size()) {
            throw new AutodiffException("pullback: " + outputs.size() + " outputs but " + cotangents.size() + " cotangents");
        }
        try (GradMode.Scope ignored = GradMode.set(options.createGraph());
                NativeThreads.Scope narrow = NativeThreads.narrow()) {
            if (options.createGraph()) {
                // recorded cotangents become part of a graph and must outlive this call
                return new Sweep(outputs, cotangents, wrt, options).run();
            }
            return Scratch.run(() -> new Sweep(outputs, cotangents, wrt, options).run());
        }
    }

    /**
     * As {@link #pullback}, but hands the cotangents of {@code wrt} to {@code use} (entries null
     * where no output depends on them) instead of returning them; they are valid only during the
     * call, so that a transform writing them into its result needs no intermediate copy.
     */
    public static void pullbackInto(List<Tensor> outputs, List<Tensor> cotangents, List<Tensor> wrt, Options options,
            java.util.function.Consumer<List<Tensor>> use) {
        if (outputs.size() != cotangents.size()) {
            throw new AutodiffException("pullback: " + outputs.size() + " outputs but " + cotangents.size() + " cotangents");
        }
        try (GradMode.Scope ignored = GradMode.set(options.createGraph());
                NativeThreads.Scope narrow = NativeThreads.narrow()) {
            if (options.createGraph()) {
                use.accept(new Sweep(outputs, cotangents, wrt, options).run());
                return;
            }
            Scratch.runAndUse(() -> new Sweep(outputs, cotangents, wrt, options).run(), use);
        }
    }

    private static final class Sweep {
        private final List<Tensor> outputs;
        private final List<Tensor> cotangents;
        private final List<Tensor> wrt;
        private final PerSample perSample;
        private final Set<Tensor> wanted;
        private final Set<Tensor> relevant = new HashSet<>();
        private final Set<Tensor> batched = new HashSet<>();
        private final Map<Tensor, Tensor> cot = new HashMap<>();
        private final Map<Tensor, INDArray> destinations;
        private final Map<Tensor, Integer> consumers = new HashMap<>();
        private int lead = -1;

        Sweep(List<Tensor> outputs, List<Tensor> cotangents, List<Tensor> wrt, Options options) {
            this.outputs = outputs;
            this.cotangents = cotangents;
            this.wrt = wrt;
            this.perSample = options.perSample();
            this.wanted = new HashSet<>(wrt);
            this.destinations = options.destinations();
        }

        List<Tensor> run() {
            List<Tensor> order = Graph.topologicalOrder(outputs);
            markRelevantAndBatched(order);
            seed();
            for (int idx = order.size() - 1; idx >= 0; idx--) {
                Tensor t = order.get(idx);
                Op op = t.op();
                if (op == null || !relevant.contains(t)) {
                    continue;
                }
                Tensor g = wanted.contains(t) ? cot.get(t) : cot.remove(t);
                if (g == null) {
                    continue;
                }
                pullThrough(t, op, g);
            }
            List<Tensor> result = new ArrayList<>(wrt.size());
            for (Tensor w : wrt) {
                result.add(cot.get(w));
            }
            return result;
        }

        private void markRelevantAndBatched(List<Tensor> order) {
            for (Tensor t : order) {
                boolean rel = wanted.contains(t);
                boolean bat = perSample != null && perSample.batchInputs().contains(t);
                if (t.op() != null) {
                    for (Tensor in : t.op().inputs()) {
                        rel |= relevant.contains(in);
                        bat |= batched.contains(in);
                    }
                }
                if (rel) {
                    relevant.add(t);
                    if (t.op() != null) {
                        for (Tensor in : t.op().inputs()) {
                            consumers.merge(in, 1, Integer::sum);
                        }
                    }
                }
                if (bat) {
                    batched.add(t);
                    if (t.op() != null && (t.rank() == 0 || t.size(0) != perSample.batchSize())) {
                        throw new AutodiffException("per-sample mode: op '" + t.op().name() + "' gives " + Shapes.str(t.shape())
                                + " from batched inputs, which does not keep the batch axis (size " + perSample.batchSize()
                                + ") first; per-sample computations need every value computed from the batch to keep it as axis 0"
                                + " and never to reduce or mix over it");
                    }
                }
            }
        }

        private void seed() {
            for (int i = 0; i < outputs.size(); i++) {
                Tensor y = outputs.get(i);
                Tensor c = cotangents.get(i);
                if (c == null) {
                    continue;
                }
                int l = c.rank() - y.rank();
                long[] trailing = Shapes.range(c.shape(), Math.max(l, 0), c.rank());
                if (l < 0 || !sameRankBroadcast(trailing, y.shape())) {
                    throw new AutodiffException("pullback: cotangent " + Shapes.str(c.shape()) + " does not fit output "
                            + Shapes.str(y.shape()) + "; expected [L..., " + Shapes.str(y.shape()).substring(1)
                            + " with leading basis axes (trailing sizes equal or 1)");
                }
                if (c.dtype() != y.dtype()) {
                    throw new AutodiffException("pullback: cotangent dtype " + c.dtype() + " differs from output dtype " + y.dtype());
                }
                if (perSample != null) {
                    if (!batched.contains(y)) {
                        throw new AutodiffException("per-sample mode: output " + Shapes.str(y.shape())
                                + " does not depend on the batch inputs");
                    }
                }
                if (lead < 0) {
                    lead = l;
                } else if (lead != l) {
                    throw new AutodiffException("pullback: cotangents have different numbers of leading axes (" + lead + " and " + l + ")");
                }
                accumulate(y, c);
            }
        }

        private void pullThrough(Tensor t, Op op, Tensor g) {
            List<Tensor> inputs = op.inputs();
            Context ctx = new Context(t, g, inputs);
            for (int i = 0; i < inputs.size(); i++) {
                if (ctx.needs(i) && ctx.perSample(i) && op.perSampleSupport() == PerSampleSupport.UNSUPPORTED) {
                    throw new AutodiffException("per-sample mode: op '" + op.name() + "' combines batched input(s) with input " + i
                            + " of shape " + Shapes.str(inputs.get(i).shape()) + " that does not depend on the batch;"
                            + " per-sample gradients through '" + op.name() + "' for such an input are not supported");
                }
            }
            List<Tensor> grads;
            try {
                grads = op.vjp(ctx);
            } catch (AutodiffException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new AutodiffException("vjp of '" + op.name() + "' failed for output " + Shapes.str(t.shape())
                        + " and cotangent " + Shapes.str(g.shape()) + ": " + e.getMessage(), e);
            }
            if (grads.size() != inputs.size()) {
                throw new AutodiffException("vjp of '" + op.name() + "' returned " + grads.size() + " cotangents for "
                        + inputs.size() + " inputs");
            }
            for (int i = 0; i < inputs.size(); i++) {
                Tensor gi = grads.get(i);
                if (gi == null || !ctx.needs(i)) {
                    continue;
                }
                Tensor in = inputs.get(i);
                long[] logical = op.perSampleSupport() == PerSampleSupport.BROADCAST ? t.shape() : null;
                Tensor fitted = CotangentFit.fit(op.name(), gi, ctx.lead(), in.shape(), ctx.perSample(i), logical);
                accumulate(in, fitted);
            }
        }

        private void accumulate(Tensor t, Tensor c) {
            Tensor prev = cot.get(t);
            cot.put(t, prev == null ? c : prev.add(c));
        }

        private static boolean sameRankBroadcast(long[] c, long[] shape) {
            if (c.length != shape.length) {
                return false;
            }
            for (int i = 0; i < c.length; i++) {
                if (c[i] != 1 && c[i] != shape[i]) {
                    return false;
                }
            }
            return true;
        }

        private final class Context implements VjpContext {
            private final Tensor out;
            private final Tensor g;
            private final List<Tensor> inputs;
            private final int lead;
            private Tensor gFull;

            Context(Tensor out, Tensor g, List<Tensor> inputs) {
                this.out = out;
                this.g = g;
                this.inputs = inputs;
                this.lead = g.rank() - out.rank();
            }

            @Override
            public Tensor out() {
                return out;
            }

            @Override
            public Tensor g() {
                return g;
            }

            @Override
            public Tensor gFull() {
                if (gFull == null) {
                    long[] full = Shapes.concat(leadShape(), out.shape());
                    gFull = Arrays.equals(full, g.shape()) ? g : g.broadcastTo(full);
                }
                return gFull;
            }

            @Override
            public int lead() {
                return lead;
            }

            @Override
            public long[] leadShape() {
                return Shapes.range(g.shape(), 0, lead);
            }

            @Override
            public boolean needs(int i) {
                return relevant.contains(inputs.get(i));
            }

            @Override
            public boolean perSample(int i) {
                return perSample != null && batched.contains(out) && !batched.contains(inputs.get(i));
            }

            @Override
            public boolean perSampleMode() {
                return perSample != null;
            }

            @Override
            public INDArray destination(int i) {
                Tensor in = inputs.get(i);
                if (destinations.isEmpty() || !in.isLeaf() || !wanted.contains(in)) {
                    return null;
                }
                Integer uses = consumers.get(in);
                return uses != null && uses == 1 ? destinations.get(in) : null;
            }
        }
    }
}
