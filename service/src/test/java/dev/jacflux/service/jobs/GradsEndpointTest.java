package dev.jacflux.service.jobs;

import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.Exact;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TestModels;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * {@code POST /v1/models/{id}/grads}: per-sample gradients and their norms for both losses and
 * precisions, against the library's direct calls (what {@code jacflux grads} computes).
 */
class GradsEndpointTest extends ServiceTestBase {

    @ParameterizedTest(name = "{0} {1} norms={2} {3}")
    @CsvSource({
        "mlp, cross_entropy, false, float32",
        "mlp, cross_entropy, true,  float32",
        "mlp, mse,           false, float64",
        "mlp, mse,           true,  float64",
        "cnn, cross_entropy, false, float64",
        "cnn, mse,           true,  float32"})
    void theAnswerEqualsTheDirectCall(String name, String loss, boolean norms, String dtypeName) {
        Sequential arch = name.equals("mlp") ? TestModels.mlp() : TestModels.cnn();
        TestModels.Files2 files = TestModels.write(arch, 31, WORK);
        String id = upload(files);
        DataType dtype = dtypeName.equals("float64") ? DataType.DOUBLE : DataType.FLOAT;
        long n = 8;
        long[] in = arch.inputShape();
        long[] shape = new long[in.length + 1];
        shape[0] = n;
        System.arraycopy(in, 0, shape, 1, in.length);
        INDArray x = Arrays2.randn(41, DataType.FLOAT, shape);
        long classes = arch.outputShape()[0];
        INDArray t = loss.equals("mse") ? Arrays2.randn(43, DataType.DOUBLE, n, classes) : Arrays2.labels(42, n, classes);

        byte[] answer = client.post().uri("/v1/models/" + id + "/grads?loss=" + loss + "&norms=" + norms + "&dtype=" + dtypeName)
                .body(BodyInserters.fromMultipartData(npyParts("input", Arrays2.npy(x), "targets", Arrays2.npy(t))))
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentType("application/x-npy")
                .expectBody(byte[].class).returnResult().getResponseBody();
        INDArray served = Arrays2.fromNpy(answer);

        Model m = ModelFile.load(files.jsonPath(), dtype);
        Loss l = loss.equals("mse") ? Loss.mse() : Loss.crossEntropy();
        BiFunction<INDArray, INDArray, INDArray> direct = (xb, tb) -> {
            INDArray tt = loss.equals("mse") ? tb.castTo(dtype) : tb;
            return norms ? PerSample.gradientNorms(m, xb.castTo(dtype), tt, l) : PerSample.gradients(m, xb.castTo(dtype), tt, l).matrix();
        };
        String what = name + " " + loss + " norms=" + norms + " " + dtypeName;
        Exact.assertSameValues(Exact.perBatch(x, t, 3, direct), served, what + ", against the direct call on each batch of 3");
        Exact.assertClose(direct.apply(x, t), served, dtype == DataType.FLOAT ? 1e-5 : 1e-13, what + ", against the whole input");
    }
}
