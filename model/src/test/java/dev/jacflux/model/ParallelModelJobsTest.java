package dev.jacflux.model;

import static dev.jacflux.model.Fixtures.assertClose;

import dev.jacflux.autodiff.transforms.ParallelChunks;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.ghost.GhostNormsJob;
import dev.jacflux.model.ghost.LayerGradientsJob;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** For every layer type: the model's per-sample jobs run in parallel parts equal N single-sample backward passes. */
class ParallelModelJobsTest {

    static Stream<ModelCases.Case> cases() {
        return ModelCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsAndNormsInPartsEqualTheLoop(ModelCases.Case c) {
        INDArray loop = RowLoop.perSampleGradients(c.model().lossFunction(c.loss()), c.x(), c.targets(), c.model().parameters());
        INDArray rowNorms = Transforms.sqrt(loop.mul(loop).sum(1), false);
        for (int parts : new int[] {2, 3}) {
            LayerGradientsJob grads = PerSample.gradientsJob(c.model(), c.x(), c.targets(), c.loss(), PerSampleOptions.DEFAULT);
            INDArray out = Nd4j.valueArrayOf(grads.resultShape(), Double.NaN, c.model().dtype());
            assertClose(c.name() + ": gradients in " + parts + " parts", loop, ParallelChunks.runInto(grads, out, parts));
            GhostNormsJob norms = PerSample.gradientNormsJob(c.model(), c.x(), c.targets(), c.loss(), PerSampleOptions.DEFAULT);
            INDArray n = Nd4j.valueArrayOf(norms.resultShape(), Double.NaN, c.model().dtype());
            assertClose(c.name() + ": norms in " + parts + " parts", rowNorms, ParallelChunks.runInto(norms, n, parts));
        }
    }
}
