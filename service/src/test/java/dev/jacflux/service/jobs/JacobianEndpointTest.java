package dev.jacflux.service.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.FullJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.pipeline.ModelJobs;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.Exact;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TestModels;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code POST /v1/models/{id}/jacobian}: every variant against the library's direct call on the
 * whole input (what {@code jacflux jacobian} computes), value for value, with the input cut into
 * batches of 3 by the service.
 */
class JacobianEndpointTest extends ServiceTestBase {

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("mlp", "", DataType.FLOAT),
                Arguments.of("mlp", "dtype=float64", DataType.DOUBLE),
                Arguments.of("mlp", "full=true", DataType.FLOAT),
                Arguments.of("mlp", "wrt=params", DataType.FLOAT),
                Arguments.of("mlp", "wrt=params&dtype=float64", DataType.DOUBLE),
                Arguments.of("cnn", "wrt=input&full=false&dtype=float32", DataType.FLOAT),
                Arguments.of("cnn", "full=true&dtype=float64", DataType.DOUBLE),
                Arguments.of("cnn", "wrt=params", DataType.FLOAT));
    }

    private static Sequential model(String name) {
        return name.equals("mlp") ? TestModels.mlp() : TestModels.cnn();
    }

    @ParameterizedTest(name = "{0} ?{1}")
    @MethodSource("variants")
    void theAnswerEqualsTheDirectCallOnTheWholeInput(String name, String query, DataType dtype) {
        Sequential arch = model(name);
        TestModels.Files2 files = TestModels.write(arch, 21, WORK);
        String id = upload(files);
        long[] in = arch.inputShape();
        long[] shape = new long[in.length + 1];
        shape[0] = 7;   // batches of 3, 3 and 1
        System.arraycopy(in, 0, shape, 1, in.length);
        INDArray x = Arrays2.randn(5, DataType.FLOAT, shape);

        INDArray served = Arrays2.fromNpy(jacobian(id, query, Arrays2.npy(x)));

        Model m = ModelFile.load(files.jsonPath(), dtype);
        java.util.function.Function<INDArray, INDArray> direct;
        if (query.contains("wrt=params")) {
            direct = xd -> PerSample.parameterJacobian(m, xd);
        } else if (query.contains("full=true")) {
            direct = xd -> FullJacobian.of(ModelJobs.forward(m), JacobianOptions.DEFAULT).compute(xd);
        } else {
            direct = xd -> BatchJacobian.of(ModelJobs.forward(m), JacobianOptions.DEFAULT).compute(xd);
        }
        INDArray xd = x.castTo(dtype);
        assertArrayEquals(ResultShape.of(JobQuery.jacobian(queryMap(query)).kind(), arch, 7), served.shape(), "announced shape");
        // the full Jacobian is one batch; the others are cut into batches of jacflux.batch-size = 3
        INDArray byBatch = query.contains("full=true") ? direct.apply(xd) : Exact.perBatch(xd, null, 3, (b, t) -> direct.apply(b));
        Exact.assertSameValues(byBatch, served, name + " ?" + query + ", against the direct call on each batch");
        Exact.assertClose(direct.apply(xd), served, dtype == DataType.FLOAT ? 1e-6 : 1e-14, name + " ?" + query + ", against the whole input");
        // an input of at most batch-size samples is one batch: exactly the direct call (what `jacflux jacobian` writes)
        INDArray three = Exact.rows(x, 0, 3);
        Exact.assertSameValues(direct.apply(three.castTo(dtype)), Arrays2.fromNpy(jacobian(id, query, Arrays2.npy(three))),
                name + " ?" + query + ", three samples");
    }

    @Test
    void theBatchJacobianAlsoEqualsTheOneRowAtATimeReference() {
        Sequential arch = TestModels.mlp();
        TestModels.Files2 files = TestModels.write(arch, 22, WORK);
        String id = upload(files);
        INDArray x = Arrays2.randn(6, DataType.DOUBLE, 5, 1, 6, 6);
        INDArray served = Arrays2.fromNpy(jacobian(id, "dtype=float64", Arrays2.npy(x)));
        Model m = ModelFile.load(files.jsonPath(), DataType.DOUBLE);
        INDArray loop = RowLoop.batchJacobian(ModelJobs.forward(m), x);
        assertEquals(0.0, loop.sub(served).amaxNumber().doubleValue(), 1e-12);
    }

    @Test
    void aFortranOrderInputGivesTheSameAnswer() {
        Sequential arch = TestModels.mlp();
        String id = upload(TestModels.write(arch, 23, WORK));
        INDArray x = Arrays2.randn(7, DataType.FLOAT, 4, 1, 6, 6);
        byte[] c = jacobian(id, "", Arrays2.npy(x));
        byte[] f = jacobian(id, "", FortranNpy.of(x));
        assertArrayEquals(c, f);
    }

    static java.util.Map<String, java.util.List<String>> queryMap(String query) {
        java.util.Map<String, java.util.List<String>> m = new java.util.LinkedHashMap<>();
        for (String kv : query.split("&")) {
            if (!kv.isEmpty()) {
                m.put(kv.substring(0, kv.indexOf('=')), java.util.List.of(kv.substring(kv.indexOf('=') + 1)));
            }
        }
        return m;
    }
}
