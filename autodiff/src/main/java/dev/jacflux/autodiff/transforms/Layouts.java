package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checks on result buffers: results are written in place through views, so a buffer must be
 * row-major and gap-free, or views of it would silently be copies.
 *
 * <pre>{@code
 * Layouts.requireResultBuffer("batch jacobian", out, expectedShape, DataType.FLOAT);
 * }</pre>
 */
public final class Layouts {
    private Layouts() {
    }

    /** Whether {@code x} is row-major without gaps (size-1 axes ignored). */
    public static boolean isCContiguous(INDArray x) {
        return Shapes.isRowMajor(x.shape(), x.stride());
    }

    /** Validates a caller-provided result buffer. */
    public static void requireResultBuffer(String what, INDArray out, long[] shape, org.nd4j.linalg.api.buffer.DataType dtype) {
        if (!Arrays.equals(out.shape(), shape)) {
            throw new AutodiffException(what + ": result buffer has shape " + Shapes.str(out.shape()) + ", expected " + Shapes.str(shape));
        }
        if (out.dataType() != dtype) {
            throw new AutodiffException(what + ": result buffer has dtype " + out.dataType() + ", expected " + dtype);
        }
        if (!isCContiguous(out)) {
            throw new AutodiffException(what + ": result buffer must be a row-major array without gaps (not a strided view)");
        }
    }
}
