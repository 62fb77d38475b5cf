package dev.jacflux.training.step;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.ParameterLayout;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.PerSampleResult;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.training.Phase;
import dev.jacflux.training.PhaseTimer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Clipping through the explicit per-example gradient matrix {@code [n, M]}: its row norms, clip
 * factors {@code c}, and the clipped sum {@code c^T G} (one GEMM). The reference for
 * {@link GhostClipping}; costs {@code n M} memory.
 *
 * <pre>{@code
 * ClippedSum s = new MatrixClipping(Loss.crossEntropy(), 1.0, PerSampleOptions.DEFAULT).clip(model, x, labels, timer);
 * }</pre>
 *
 * @param loss the per-example loss
 * @param clipNorm {@code C}
 * @param options chunking of the per-sample pass
 */
public record MatrixClipping(Loss loss, double clipNorm, PerSampleOptions options) implements Clipping {
    @Override
    public ClippedSum clip(Model model, INDArray x, INDArray targets, PhaseTimer timer) {
        long n = x.size(0);
        if (n == 0) {
            return Clipping.empty(model);
        }
        PerSampleResult r = timer.time(Phase.FORWARD_BACKWARD, () -> PerSample.gradients(model, x, targets, loss, options));
        INDArray m = r.matrix();
        INDArray norms = timer.time(Phase.NORMS, () -> Transforms.sqrt(m.mul(m).sum(1), false));
        List<INDArray> sums = timer.time(Phase.CLIP, () -> {
            INDArray c = Clipping.factors(norms, clipNorm);
            INDArray sum = Nd4j.gemm(c.reshape('c', 1, n), m, false, false).reshape('c', new long[] {m.size(1)});
            ParameterLayout layout = r.layout();
            List<INDArray> out = new ArrayList<>();
            for (int i = 0; i < layout.count(); i++) {
                out.add(sum.get(NDArrayIndex.interval(layout.offset(i), layout.offset(i) + layout.numel(i))).dup('c')
                        .reshape('c', layout.shapes().get(i)));
            }
            return out;
        });
        INDArray losses;
        try (GradMode.Scope off = GradMode.disable()) {
            losses = loss.apply(Tensor.constant(model.forward(x)), targets).value();
        }
        return new ClippedSum(sums, norms.toDoubleVector(), losses.reshape('c', new long[] {n}).toDoubleVector());
    }
}
