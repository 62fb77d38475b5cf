package dev.jacflux.model;

import static dev.jacflux.model.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.PerSampleGradients;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.PerSampleResult;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.ghost.GhostNormsJob;
import dev.jacflux.model.ghost.GhostPass;
import dev.jacflux.model.ghost.GhostStrategy;
import dev.jacflux.model.ghost.LayerGradientsJob;
import dev.jacflux.model.layers.Dropout;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** For every layer type: per-sample results against N single-sample backward passes, float64. */
class PerSampleModelTest {

    static Stream<ModelCases.Case> cases() {
        return ModelCases.all().stream();
    }

    private static INDArray rowNorms(INDArray m) {
        return Transforms.sqrt(m.mul(m).sum(1), false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsEqualLoopOfSingleSamplePasses(ModelCases.Case c) {
        INDArray loop = RowLoop.perSampleGradients(c.model().lossFunction(c.loss()), c.x(), c.targets(), c.model().parameters());
        PerSampleResult g = PerSample.gradients(c.model(), c.x(), c.targets(), c.loss());
        assertArrayEquals(new long[] {ModelCases.N, c.model().parameterCount()}, g.matrix().shape());
        assertClose(c.name() + ": per-sample gradients", loop, g.matrix());
        // views follow the layout: the last parameter's view is the last columns
        int last = c.model().layout().count() - 1;
        INDArray view = g.view(last);
        long off = c.model().layout().offset(last);
        assertClose(c.name() + ": view", g.matrix().get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(off, c.model().parameterCount())), view.reshape(ModelCases.N, -1), 0, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void engineRouteAndReusedBufferGiveTheSameMatrix(ModelCases.Case c) {
        INDArray loop = RowLoop.perSampleGradients(c.model().lossFunction(c.loss()), c.x(), c.targets(), c.model().parameters());
        PerSampleGradients.Job engine = PerSample.gradientsJobViaEngine(c.model(), c.x(), c.targets(), c.loss(), PerSampleOptions.DEFAULT);
        assertClose(c.name() + ": engine route", loop, engine.runInto(engine.allocateResult()));
        INDArray buffer = Nd4j.valueArrayOf(new long[] {ModelCases.N, c.model().parameterCount()}, Double.NaN, c.model().dtype());
        PerSampleResult r = PerSample.gradients(c.model(), c.x(), c.targets(), c.loss(), PerSampleOptions.DEFAULT.withSamplesPerChunk(2), buffer);
        assertTrue(r.matrix() == buffer, "the result is the buffer");
        assertClose(c.name() + ": into a reused buffer (every entry written)", loop, buffer);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void chunkedGradientsEqualUnchunked(ModelCases.Case c) {
        INDArray whole = PerSample.gradients(c.model(), c.x(), c.targets(), c.loss()).matrix();
        INDArray chunked = PerSample.gradients(c.model(), c.x(), c.targets(), c.loss(), PerSampleOptions.DEFAULT.withSamplesPerChunk(2)).matrix();
        assertClose(c.name() + ": 2 samples per chunk", whole, chunked, 1e-14, 1e-12);
        LayerGradientsJob job = PerSample.gradientsJob(c.model(), c.x(), c.targets(), c.loss(),
                PerSampleOptions.DEFAULT.withMemoryBudget(budgetForAboutTwoSamples(c)));
        assertTrue(job.chunks().size() > 1, c.name() + ": the budget must split the batch, got " + job.chunks());
        assertClose(c.name() + ": memory budget", whole, job.runInto(job.allocateResult()), 1e-14, 1e-12);
    }

    private static long budgetForAboutTwoSamples(ModelCases.Case c) {
        LayerGradientsJob one = PerSample.gradientsJob(c.model(), c.x(), c.targets(), c.loss(), PerSampleOptions.DEFAULT.withMemoryBudget(1L << 40));
        // with an unlimited budget everything fits in one chunk; probe the per-sample estimate by halving
        long budget = 1L << 40;
        while (PerSample.gradientsJob(c.model(), c.x(), c.targets(), c.loss(), PerSampleOptions.DEFAULT.withMemoryBudget(budget / 2))
                .chunks().size() < 3) {
            budget /= 2;
        }
        assertTrue(one.chunks().size() == 1);
        return budget / 2;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parameterJacobianEqualsLoop(ModelCases.Case c) {
        INDArray loop = RowLoop.perSampleJacobian(c.model().asFunction(), c.x(), c.model().parameters());
        INDArray jac = PerSample.parameterJacobian(c.model(), c.x());
        long dy = dev.jacflux.autodiff.Shapes.numel(c.model().architecture().outputShape());
        assertArrayEquals(new long[] {ModelCases.N, dy, c.model().parameterCount()}, jac.shape());
        assertClose(c.name() + ": parameter jacobian", loop, jac);
        INDArray chunked = PerSample.parameterJacobian(c.model(), c.x(), PerSampleOptions.DEFAULT.withSamplesPerChunk(3));
        assertClose(c.name() + ": chunked parameter jacobian", jac, chunked, 1e-14, 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ghostNormsEqualRowNormsOfTheMatrix(ModelCases.Case c) {
        INDArray matrix = PerSample.gradients(c.model(), c.x(), c.targets(), c.loss()).matrix();
        INDArray expected = rowNorms(matrix);
        for (GhostStrategy s : GhostStrategy.values()) {
            GhostNormsJob job = PerSample.gradientNormsJob(c.model(), c.x(), c.targets(), c.loss(), PerSampleOptions.DEFAULT, s);
            assertClose(c.name() + ": ghost norms (" + s + ")", expected, job.runInto(job.allocateResult()));
        }
        assertClose(c.name() + ": chunked ghost norms", expected,
                PerSample.gradientNorms(c.model(), c.x(), c.targets(), c.loss(), PerSampleOptions.DEFAULT.withSamplesPerChunk(2)));
        GhostNormsJob budgeted = PerSample.gradientNormsJob(c.model(), c.x(), c.targets(), c.loss(),
                PerSampleOptions.DEFAULT.withMemoryBudget(GhostPass.bytesPerSample(c.model(), c.loss(), c.x(), c.targets(), GhostStrategy.AUTO) * 2));
        assertTrue(budgeted.chunks().size() == 3, c.name() + ": a budget of two samples must give 3 chunks, got " + budgeted.chunks());
        assertClose(c.name() + ": budgeted ghost norms", expected, budgeted.runInto(budgeted.allocateResult()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ghostPerParameterNormsAndWeightedSumsMatchTheMatrix(ModelCases.Case c) {
        PerSampleResult r = PerSample.gradients(c.model(), c.x(), c.targets(), c.loss());
        GhostPass pass = GhostPass.run(c.model(), c.loss(), c.x(), c.targets(), GhostStrategy.AUTO);
        List<INDArray> squares = pass.parameterSquaredNorms();
        for (int i = 0; i < r.layout().count(); i++) {
            INDArray block = r.view(i).reshape(ModelCases.N, -1);
            assertClose(c.name() + ": squared norms of " + r.layout().names().get(i), block.mul(block).sum(1), squares.get(i));
        }
        INDArray w = Fixtures.uniform(77, 0.1, 1.0, ModelCases.N);
        INDArray expected = Nd4j.gemm(w.reshape(1, ModelCases.N), r.matrix(), false, false);   // [1, M]
        List<INDArray> sums = pass.weightedSum(w);
        List<INDArray> flat = new ArrayList<>();
        for (INDArray s : sums) {
            flat.add(s.reshape(1, -1));
        }
        assertClose(c.name() + ": weighted sum of per-sample gradients", expected, Nd4j.hstack(flat.toArray(new INDArray[0])));
        INDArray losses = c.loss().apply(dev.jacflux.autodiff.Tensor.constant(c.model().forward(c.x())), c.targets()).value();
        assertClose(c.name() + ": losses", losses, pass.losses());
    }

    @Test
    void trainingFormDropoutRowsSumToTheBatchGradient() {
        // a dropout mask depends on the call's shape, so a loop of single samples sees other masks; the rows must still
        // be the per-sample split of the ordinary gradient of the same forward pass
        Sequential arch = Sequential.of(new long[] {4}, Linear.of("fc1", 4, 6), new Dropout(null, 0.5, true, 3L), Linear.of("fc2", 6, 3));
        Model m = Fixtures.randomModel(arch, 21);
        INDArray x = Fixtures.normal(22, 5, 4);
        INDArray y = Fixtures.labels(23, 5, 3);
        INDArray matrix = PerSample.gradients(m, x, y, Loss.crossEntropy()).matrix();
        List<INDArray> mean = new Sgd(1.0, Loss.crossEntropy()).gradient(m, x, y).parameters();
        List<INDArray> flat = new ArrayList<>();
        for (INDArray g : mean) {
            flat.add(g.reshape(1, -1));
        }
        INDArray expected = Nd4j.hstack(flat.toArray(new INDArray[0])).muli(5);
        assertClose("rows sum to the batch gradient", expected, matrix.sum(true, 0));
        assertClose("ghost norms", rowNorms(matrix), PerSample.gradientNorms(m, x, y, Loss.crossEntropy()));
    }

    private static Linear linear(String n, long i, long o) {
        return Linear.of(n, i, o);
    }

    @Test
    void userWrittenLossWorks() {
        Sequential arch = Sequential.of(new long[] {4}, linear("fc1", 4, 5), new Tanh(), linear("fc2", 5, 2));
        Model m = Fixtures.randomModel(arch, 31);
        INDArray x = Fixtures.normal(32, 6, 4);
        INDArray t = Fixtures.normal(33, 6, 2);
        Loss pseudoHuber = (out, targets) -> out.sub(dev.jacflux.autodiff.Tensor.constant(targets)).square().add(1.0).sqrt().sub(1.0).sum(1);
        INDArray loop = RowLoop.perSampleGradients(m.lossFunction(pseudoHuber), x, t, m.parameters());
        INDArray g = PerSample.gradients(m, x, t, pseudoHuber).matrix();
        assertClose("user loss", loop, g);
        assertClose("user loss norms", rowNorms(loop), PerSample.gradientNorms(m, x, t, pseudoHuber));
    }

    @Test
    void float32InputIsConvertedToTheModelDtype() {
        ModelCases.Case c = ModelCases.dense().get(5);
        INDArray g64 = PerSample.gradients(c.model(), c.x().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT), c.targets(), c.loss()).matrix();
        assertClose("float32 input", PerSample.gradients(c.model(), c.x(), c.targets(), c.loss()).matrix(), g64, 1e-6, 1e-5);
        Model m32 = c.model().withDtype(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        INDArray g32 = PerSample.gradients(m32, c.x(), c.targets(), c.loss()).matrix();
        assertTrue(g32.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT);
        assertClose("float32 model", PerSample.gradients(c.model(), c.x(), c.targets(), c.loss()).matrix(), g32, 1e-5, 1e-4);
        assertClose("float32 ghost norms", rowNorms(g32), PerSample.gradientNorms(m32, c.x(), c.targets(), c.loss()), 1e-5, 1e-4);
    }
}
