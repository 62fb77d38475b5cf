package dev.jacflux.examples;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.Autodiff;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import java.util.Arrays;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The README's quickstart, kept compiling and running by {@code ReadmeExamplesTest}. */
public final class QuickstartExample {
    private QuickstartExample() {
    }

    public static void main(String[] args) {
        Nd4j.getRandom().setSeed(42);
        INDArray x = Nd4j.randn(DataType.FLOAT, 64, 512);                  // a batch of 64 samples
        Tensor w1 = Tensor.constant(Nd4j.randn(DataType.FLOAT, 512, 512).divi(Math.sqrt(512)));
        Tensor w2 = Tensor.constant(Nd4j.randn(DataType.FLOAT, 512, 32).divi(Math.sqrt(512)));
        Function<Tensor, Tensor> f = v -> v.matmul(w1).tanh().matmul(w2);   // [64, 512] -> [64, 32]

        // dy[b]/dx[b] for every sample: [64, 32, 512], in chunks of 16 output rows per reverse pass
        INDArray jac = BatchJacobian.of(f, JacobianOptions.DEFAULT.withChunkSize(16)).compute(x);
        System.out.println("batch Jacobian " + Arrays.toString(jac.shape()));

        // the same, the slow way: one backward pass per output row
        INDArray reference = RowLoop.batchJacobian(f, x);
        System.out.println("max |difference| to the row loop: " + jac.sub(reference).amaxNumber());

        // vjp, jvp and grad
        INDArray gx = Autodiff.vjp(f, x).pullback(Nd4j.ones(DataType.FLOAT, 64, 32));     // [64, 512]
        INDArray g = Autodiff.grad(v -> f.apply(v).square().sum(), x);                     // [64, 512]
        System.out.println("vjp " + Arrays.toString(gx.shape()) + ", grad " + Arrays.toString(g.shape()));
    }
}
