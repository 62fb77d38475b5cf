package dev.jacflux.autodiff.engine;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The forward-mode sweep over a recorded graph: pushes tangents {@code [L..., *shape(input)]} of
 * some inputs to tangents {@code [L..., *shape(out)]} of the outputs, one JVP rule per op, with the
 * same leading basis axes throughout. Like {@link Backprop} it keeps everything local to the call.
 *
 * <pre>{@code
 * Tensor x = Tensor.variable(xs);                       // [n]
 * Tensor y = f.apply(x);                                // [m], graph recorded
 * Tensor ty = TangentSweep.pushforward(List.of(y), List.of(x), List.of(basis), false).get(0); // [K, m]
 * }</pre>
 */
public final class TangentSweep {
    private TangentSweep() {
    }

    /**
     * Pushes {@code tangents} of {@code inputs} forward to {@code outputs}.
     *
     * @param createGraph record the sweep so that its results can be differentiated again
     * @return one tangent per output, or {@code null} where the output does not depend on the inputs
     */
    public static List<Tensor> pushforward(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> tangents, boolean createGraph) {
        if (inputs.size() != tangents.size()) {
            throw new AutodiffException("pushforward: " + inputs.size() + " inputs but " + tangents.size() + " tangents");
        }
        Map<Tensor, Tensor> tan = new HashMap<>();
        int lead = -1;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor x = inputs.get(i);
            Tensor t = tangents.get(i);
            int l = t.rank() - x.rank();
            if (l < 0 || !Shapes.broadcastsTo(Shapes.range(t.shape(), l, t.rank()), x.shape())) {
                throw new AutodiffException("pushforward: tangent " + Shapes.str(t.shape()) + " does not fit input "
                        + Shapes.str(x.shape()) + "; expected [L..., " + Shapes.str(x.shape()).substring(1));
            }
            if (lead >= 0 && l != lead) {
                throw new AutodiffException("pushforward: tangents have different numbers of leading axes (" + lead + " and " + l + ")");
            }
            lead = l;
            tan.put(x, t);
        }
        final int sweepLead = lead;
        try (GradMode.Scope ignored = GradMode.set(createGraph); NativeThreads.Scope narrow = NativeThreads.narrow()) {
            for (Tensor t : Graph.topologicalOrder(outputs)) {
                Op op = t.op();
                if (op == null || tan.containsKey(t)) {
                    continue;
                }
                List<Tensor> ins = op.inputs();
                boolean any = false;
                for (Tensor in : ins) {
                    any |= tan.containsKey(in);
                }
                if (!any) {
                    continue;
                }
                Tensor r;
                try {
                    r = op.jvp(new Context(t, ins, tan, sweepLead));
                } catch (AutodiffException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new AutodiffException("jvp of '" + op.name() + "' failed for output " + Shapes.str(t.shape())
                            + ": " + e.getMessage(), e);
                }
                if (r != null) {
                    tan.put(t, r);
                }
            }
        }
        List<Tensor> result = new ArrayList<>(outputs.size());
        for (Tensor y : outputs) {
            result.add(tan.get(y));
        }
        return result;
    }

    private record Context(Tensor out, List<Tensor> inputs, Map<Tensor, Tensor> tan, int lead) implements JvpContext {
        /** The tangent expanded to exactly {@code [L..., *shape(input)]} (tangents may carry size-1 axes). */
        @Override
        public Tensor tangent(int i) {
            Tensor t = tan.get(inputs.get(i));
            if (t == null) {
                return null;
            }
            long[] full = Shapes.concat(Shapes.range(t.shape(), 0, lead), inputs.get(i).shape());
            return java.util.Arrays.equals(full, t.shape()) ? t : t.broadcastTo(full);
        }

        @Override
        public Tensor tangentAligned(int i) {
            Tensor t = tangent(i);
            if (t == null) {
                return null;
            }
            int want = lead + out.rank();
            if (t.rank() >= want) {
                return t;
            }
            long[] s = t.shape();
            long[] aligned = Shapes.concat(Shapes.range(s, 0, lead),
                    Shapes.padLeft(Shapes.range(s, lead, s.length), out.rank()));
            return t.reshape(aligned);
        }
    }
}
