package dev.jacflux.training;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.Model;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training set: inputs {@code x [N, *input_shape]} and targets {@code y [N, ...]} (class indices
 * {@code [N]} for cross-entropy, or values {@code [N, *output_shape]} for MSE), with the rows of a
 * batch gathered by index.
 *
 * <pre>{@code
 * Dataset d = Dataset.of(x, labels);            // x [1000, 20] float, labels [1000] int64
 * Dataset.Batch b = d.batch(new long[] {3, 17, 256});
 * b.x();                                        // [3, 20]
 * }</pre>
 *
 * @param x inputs, first axis the examples
 * @param y targets, first axis the examples
 */
public record Dataset(INDArray x, INDArray y) {
    public Dataset {
        if (x == null || y == null) {
            throw new TrainingException("dataset: x and y must not be null");
        }
        if (x.rank() < 1 || y.rank() < 1) {
            throw new TrainingException("dataset: x and y need a first axis over the examples, got x " + Shapes.str(x.shape()) + ", y "
                    + Shapes.str(y.shape()));
        }
        if (x.size(0) != y.size(0)) {
            throw new TrainingException("dataset: x has " + x.size(0) + " examples " + Shapes.str(x.shape()) + " but y has " + y.size(0) + " "
                    + Shapes.str(y.shape()));
        }
        if (x.size(0) < 1) {
            throw new TrainingException("dataset: no examples (x " + Shapes.str(x.shape()) + ")");
        }
        if (x.size(0) > Integer.MAX_VALUE - 8) {
            throw new TrainingException("dataset: at most 2^31 - 9 examples, got " + x.size(0));
        }
    }

    /** A dataset (arrays used as given; contiguous C-order copies are made once if needed). */
    public static Dataset of(INDArray x, INDArray y) {
        return new Dataset(contiguous(x), contiguous(y));
    }

    private static INDArray contiguous(INDArray a) {
        return a == null || (!a.isView() && a.ordering() == 'c') ? a : a.dup('c');
    }

    /** {@code N}. */
    public long size() {
        return x.size(0);
    }

    /** The inputs in the model's dtype, and a check of their shape against the model. */
    public Dataset forModel(Model model) {
        long[] want = model.architecture().inputShape();
        if (!Arrays.equals(Shapes.range(x.shape(), 1, x.rank()), want)) {
            throw new TrainingException("dataset: x " + Shapes.str(x.shape()) + " does not match the model's input shape " + Shapes.str(want)
                    + "; expected [N, " + Shapes.str(want).substring(1));
        }
        DataType dt = model.dtype();
        INDArray ys = y.dataType().isFPType() && y.dataType() != dt ? y.castTo(dt) : y;
        return x.dataType() == dt && ys == y ? this : new Dataset(x.dataType() == dt ? x : x.castTo(dt), ys);
    }

    /** The rows {@code indices} of {@code x} and {@code y} (an empty batch has first axes of size 0). */
    public Batch batch(long[] indices) {
        return new Batch(indices, rows(x, indices), rows(y, indices));
    }

    private static INDArray rows(INDArray a, long[] indices) {
        long[] shape = a.shape().clone();
        shape[0] = indices.length;
        if (indices.length == 0) {
            return Nd4j.create(a.dataType(), shape);
        }
        long rest = a.length() / a.size(0);
        int[] idx = new int[indices.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = Math.toIntExact(indices[i]);
        }
        INDArray flat = a.reshape('c', a.size(0), rest);
        return Nd4j.pullRows(flat, 1, idx).reshape('c', shape);
    }

    /**
     * The examples of one step.
     *
     * <pre>{@code
     * Dataset.Batch b = dataset.batch(sampler.batch(step));
     * long n = b.size();
     * }</pre>
     *
     * @param indices the example indices
     * @param x their inputs {@code [n, ...]}
     * @param y their targets {@code [n, ...]}
     */
    public record Batch(long[] indices, INDArray x, INDArray y) {
        /** The number of examples (may be 0 under Poisson sampling). */
        public long size() {
            return indices.length;
        }
    }
}
