package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@code GradientTape}-style scope: watch inputs, run any code, then ask for gradients and
 * Jacobians of what it computed. Recording is switched on for the scope (and restored after).
 *
 * <pre>{@code
 * try (Tape tape = Tape.start()) {
 *     Tensor x = tape.watch(xs);                    // [B, n]
 *     Tensor y = x.matmul(w).tanh();                // [B, m]
 *     INDArray jb = tape.batchJacobian(y, x);       // [B, m, n]
 *     INDArray g = tape.gradient(y.sum(), x);       // [B, n]
 * }
 * }</pre>
 */
public final class Tape implements AutoCloseable {
    private final GradMode.Scope recording;

    private Tape() {
        this.recording = GradMode.set(true);
    }

    /** Opens a tape on this thread. */
    public static Tape start() {
        return new Tape();
    }

    /** A watched input. */
    public Tensor watch(INDArray value) {
        return Tensor.variable(value);
    }

    /** Gradient of a scalar {@code target} with respect to {@code source}, shaped like the source. */
    public INDArray gradient(Tensor target, Tensor source) {
        if (target.numel() != 1) {
            throw new AutodiffException("tape gradient: target must be a scalar, got shape " + Shapes.str(target.shape()));
        }
        Tensor seed = Tensor.constant(Nd4j.ones(target.dtype(), target.shape()));
        Tensor g = Backprop.pullback(List.of(target), List.of(seed), List.of(source), Backprop.Options.DEFAULT).get(0);
        return g == null ? Nd4j.zeros(source.dtype(), source.shape()) : g.value().broadcast(source.shape()).dup('c');
    }

    /** Full Jacobian {@code [*target, *source]}. */
    public INDArray jacobian(Tensor target, Tensor source, JacobianOptions options) {
        FullJacobian.Job job = FullJacobian.recorded(source, target, options);
        return job.runInto(job.allocateResult());
    }

    /** Full Jacobian with default options. */
    public INDArray jacobian(Tensor target, Tensor source) {
        return jacobian(target, source, JacobianOptions.DEFAULT);
    }

    /** Batch Jacobian {@code [B, *out, *in]}. */
    public INDArray batchJacobian(Tensor target, Tensor source, JacobianOptions options) {
        BatchJacobian.Job job = BatchJacobian.recorded(source, target, options);
        return job.runInto(job.allocateResult());
    }

    /** Batch Jacobian with default options. */
    public INDArray batchJacobian(Tensor target, Tensor source) {
        return batchJacobian(target, source, JacobianOptions.DEFAULT);
    }

    @Override
    public void close() {
        recording.close();
    }
}
