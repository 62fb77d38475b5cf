package dev.jacflux.autodiff.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.CrossEntropy;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Per-sample transforms against a loop of single-sample backward passes, in float64. */
class PerSampleTest {
    private static final int N = 5;
    private final INDArray x = Gen.random(51, N, 4);
    private final INDArray labels = Nd4j.createFromArray(new long[] {0, 2, 1, 2, 0});
    private final List<INDArray> params = List.of(Gen.random(52, 6, 4), Gen.random(53, 6), Gen.random(54, 3, 6), Gen.random(55, 3));
    private final List<String> names = List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    /** A PyTorch-layout MLP (weight [out, in]) with tanh and a bias on each layer. */
    private final PerSampleFunction logits = (in, t, p) -> in.matmul(p.get(0).transpose()).add(p.get(1)).tanh()
            .matmul(p.get(2).transpose()).add(p.get(3));
    private final PerSampleFunction loss = (in, t, p) -> CrossEntropy.apply(logits.apply(in, t, p), t);

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 2})
    void gradientsEqualLoopOfSingleSampleBackwardPasses(long samplesPerChunk) {
        PerSampleResult g = PerSampleGradients.of(loss, PerSampleOptions.DEFAULT.withSamplesPerChunk(samplesPerChunk))
                .compute(x, labels, params, names);
        assertArrayEquals(new long[] {N, 24 + 6 + 18 + 3}, g.matrix().shape());
        Close.assertClose("per-sample gradients", RowLoop.perSampleGradients(loss, x, labels, params), g.matrix(), 1e-13, 1e-11);
        assertArrayEquals(new long[] {N, 3, 6}, g.view("fc2.weight").shape());
        Close.assertClose("view", g.matrix().getColumns(30, 31, 32).reshape(N, 3), g.view("fc2.weight").get(
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)), 0, 0);
        // the rows sum to the ordinary gradient of the summed loss: one batched backward pass, no per-sample mode
        Close.assertClose("row sum", batchedGradient(loss, x, labels, params), g.matrix().sum(0), 1e-12, 1e-10);
    }

    /** The ordinary gradient of the summed loss over the whole batch, flattened in parameter order. */
    private static INDArray batchedGradient(PerSampleFunction f, INDArray x, INDArray t, List<INDArray> params) {
        List<Tensor> ps = params.stream().map(Tensor::variable).toList();
        Tensor total = f.apply(Tensor.constant(x), t, ps).sum();
        List<Tensor> grads = dev.jacflux.autodiff.engine.Backprop.pullback(List.of(total), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE,
                1))), ps, dev.jacflux.autodiff.engine.Backprop.Options.DEFAULT);
        INDArray[] flat = grads.stream().map(gr -> gr.value().reshape(1, -1)).toArray(INDArray[]::new);
        return Nd4j.hstack(flat).reshape(-1);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void linearOpGivesTheSamePerSampleGradients(int rank) {
        // the Linear op (weight cotangents in W's own layout) against the loop, on 2-D and 3-D inputs
        INDArray xr = rank == 2 ? x : Gen.random(56, N, 2, 4);
        PerSampleFunction lin = (in, t, p) -> {
            Tensor h = dev.jacflux.autodiff.ops.Linear.apply(in, p.get(0), p.get(1)).tanh();
            Tensor o = dev.jacflux.autodiff.ops.Linear.apply(h, p.get(2), p.get(3));
            return (rank == 2 ? o : o.sum(1)).square().sum(1);
        };
        PerSampleResult g = PerSampleGradients.of(lin).compute(xr, null, params, names);
        Close.assertClose("linear op per-sample gradients", RowLoop.perSampleGradients(lin, xr, null, params), g.matrix(), 1e-13, 1e-11);
    }

    @Test
    void denseLayerWritesPerSampleWeightsStraightIntoTheOfferedDestination() {
        Tensor in = Tensor.variable(x);
        Tensor w = Tensor.variable(params.get(0));
        Tensor loss = dev.jacflux.autodiff.ops.Linear.apply(in, w, null).tanh().sum(1);
        INDArray big = Nd4j.zeros(DataType.DOUBLE, N, 100);
        INDArray dest = big.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 34))
                .reshape('c', 1, N, 6, 4);
        Tensor g = dev.jacflux.autodiff.engine.Backprop.pullback(java.util.List.of(loss), java.util.List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 1))),
                java.util.List.of(w), dev.jacflux.autodiff.engine.Backprop.Options.perSample(java.util.Set.of(in), N)
                        .withDestinations(java.util.Map.of(w, dest))).get(0);
        assertTrue(g.value() == dest, "the rule wrote into the destination");
        PerSampleFunction f = (v, t, p) -> dev.jacflux.autodiff.ops.Linear.apply(v, p.get(0), null).tanh().sum(1);
        INDArray expected = RowLoop.perSampleGradients(f, x, null, List.of(params.get(0)));
        Close.assertClose("written rows", expected, big.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 34)), 1e-13, 1e-11);
        assertEquals(0.0, big.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 10))
                .amaxNumber().doubleValue(), "nothing written outside the slot");
    }

    @Test
    void parameterJacobianEqualsLoop() {
        INDArray jac = PerSampleJacobian.of(logits, PerSampleOptions.DEFAULT.withSamplesPerChunk(2)).compute(x, params, names);
        assertArrayEquals(new long[] {N, 3, 51}, jac.shape());
        Close.assertClose("parameter jacobian", RowLoop.perSampleJacobian(logits, x, params), jac, 1e-13, 1e-11);
    }

    @Test
    void normsEqualRowNormsOfTheMatrix() {
        INDArray matrix = PerSampleGradients.of(loss).compute(x, labels, params, names).matrix();
        INDArray expected = Transforms.sqrt(matrix.mul(matrix).sum(1), false);
        INDArray norms = PerSampleGradientNorms.of(loss, PerSampleOptions.DEFAULT.withSamplesPerChunk(3)).compute(x, labels, params, names);
        Close.assertClose("norms", expected, norms, 1e-13, 1e-11);
    }

    @Test
    void memoryBudgetChunksTheSamples() {
        PerSampleGradients.Job job = PerSampleGradients.of(loss, PerSampleOptions.DEFAULT.withMemoryBudget(3_000))
                .prepare(x, labels, params, names);
        assertTrue(job.chunks().size() > 1, "budget must split the batch: " + job.chunks());
        Close.assertClose("budgeted", RowLoop.perSampleGradients(loss, x, labels, params), job.runInto(job.allocateResult()), 1e-13, 1e-11);
    }

    @Test
    void float32Works() {
        List<INDArray> p32 = params.stream().map(p -> p.castTo(DataType.FLOAT)).toList();
        INDArray g32 = PerSampleGradients.of(loss).compute(x.castTo(DataType.FLOAT), labels, p32, names).matrix();
        assertEquals(DataType.FLOAT, g32.dataType());
        Close.assertClose("float32", RowLoop.perSampleGradients(loss, x, labels, params), g32, 1e-5, 1e-4);
    }

    @Test
    void errorsNameTheProblem() {
        AutodiffException targets = assertThrows(AutodiffException.class,
                () -> PerSampleGradients.of(loss).compute(x, Nd4j.createFromArray(new long[] {0, 1}), params, names));
        assertTrue(targets.getMessage().contains("targets [2]") && targets.getMessage().contains("5 samples"), targets.getMessage());
        AutodiffException vector = assertThrows(AutodiffException.class,
                () -> PerSampleGradients.of(logits).compute(x, labels, params, names));
        assertTrue(vector.getMessage().contains("one value per sample"), vector.getMessage());
        AutodiffException mixing = assertThrows(AutodiffException.class,
                () -> PerSampleGradients.of((in, t, p) -> loss.apply(in.sub(in.mean(true, 0)), t, p)).compute(x, labels, params, names));
        assertTrue(mixing.getMessage().contains("per-sample mode"), mixing.getMessage());
        AutodiffException dtype = assertThrows(AutodiffException.class,
                () -> PerSampleGradients.of(loss).compute(x.castTo(DataType.FLOAT), labels, params, names));
        assertTrue(dtype.getMessage().contains("fc1.weight") && dtype.getMessage().contains("DOUBLE"), dtype.getMessage());
    }
}
