package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The rule of layers without one of their own (layer norm, batch norm's affine part, ...): the
 * output cotangent pulled back through the layer alone, in the engine's per-sample mode for
 * per-sample gradients and norms, in ordinary mode (weighted by {@code c}) for weighted sums.
 *
 * <pre>{@code
 * PerSampleRule rule = LocalPerSampleRule.INSTANCE;   // what Layer.perSampleRule() returns by default
 * }</pre>
 */
public final class LocalPerSampleRule implements PerSampleRule {
    /** The shared instance. */
    public static final LocalPerSampleRule INSTANCE = new LocalPerSampleRule();

    private LocalPerSampleRule() {
    }

    /** {@code [n, numel]} per parameter, from a per-sample pullback of the output cotangent through the layer alone. */
    private static List<INDArray> blocks(LayerFactors f) {
        long n = f.n();
        Tensor seed = Tensor.constant(f.g().reshape('c', Shapes.concat(new long[] {1}, f.g().shape())));
        List<Tensor> grads = Backprop.pullback(List.of(f.output()), List.of(seed), f.params(),
                Backprop.Options.perSample(Set.of(f.input()), n));
        List<INDArray> out = new ArrayList<>();
        for (int k = 0; k < f.params().size(); k++) {
            Tensor g = grads.get(k);
            long numel = f.params().get(k).numel();
            if (g == null) {
                out.add(Nd4j.zeros(f.g().dataType(), n, numel));
                continue;
            }
            long[] want = Shapes.concat(new long[] {1, n}, f.params().get(k).shape());
            INDArray v = Arrays.equals(g.shape(), want) ? g.value() : g.value().broadcast(want);
            out.add(v.reshape('c', n, numel));
        }
        return out;
    }

    @Override
    public void writeGradients(LayerFactors f, INDArray rows) {
        long off = 0;
        for (INDArray block : blocks(f)) {
            long numel = block.size(1);
            rows.get(NDArrayIndex.all(), NDArrayIndex.interval(off, off + numel)).assign(block);
            off += numel;
        }
    }

    @Override
    public List<INDArray> squaredNorms(LayerFactors f, GramChoice choice) {
        List<INDArray> out = new ArrayList<>();
        for (INDArray block : blocks(f)) {
            out.add(ProductNorms.rowSquares(block));
        }
        return out;
    }

    @Override
    public List<INDArray> weightedSum(LayerFactors f, INDArray c) {
        long n = f.n();
        long[] wShape = new long[f.g().rank()];
        Arrays.fill(wShape, 1);
        wShape[0] = n;
        INDArray gc = f.g().mul(c.reshape('c', wShape));
        Tensor seed = Tensor.constant(gc.reshape('c', Shapes.concat(new long[] {1}, gc.shape())));
        List<Tensor> grads = Backprop.pullback(List.of(f.output()), List.of(seed), f.params(), Backprop.Options.DEFAULT);
        List<INDArray> out = new ArrayList<>();
        for (int k = 0; k < f.params().size(); k++) {
            long[] shape = f.params().get(k).shape();
            Tensor g = grads.get(k);
            if (g == null) {
                out.add(Nd4j.zeros(f.g().dataType(), shape));
            } else {
                long[] want = Shapes.concat(new long[] {1}, shape);
                INDArray v = Arrays.equals(g.shape(), want) ? g.value() : g.value().broadcast(want);
                out.add(v.reshape('c', shape).dup('c'));
            }
        }
        return out;
    }

    @Override
    public long workPerSample(Layer layer, long[] inShape, long[] outShape, GramChoice choice) {
        long elements = 0;
        for (TensorSpec p : layer.parameters()) {
            elements += 2 * Shapes.numel(p.shape());
        }
        return elements;
    }
}
