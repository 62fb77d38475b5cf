package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.Shapes;
import java.lang.reflect.Field;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sun.misc.Unsafe;

/**
 * Direct access to the native memory behind dense FLOAT and DOUBLE arrays, for the few kernels
 * that ND4J does slowly ({@link Im2ColKernel}: libnd4j's {@code im2col} took 3-7 ns per element
 * here, a plain loop over the same memory 0.2-1.5 ns) or cannot express ({@link BatchedGemm}:
 * products written into strided rows of a result).
 *
 * <p>Only arrays that are row-major and gap-free ({@link #isDense}) are accessed, always within
 * their own extent ({@code [0, length)} from their first element); callers check shapes before
 * touching memory. If {@code sun.misc.Unsafe} is not available, {@link #AVAILABLE} is false and the
 * kernels fall back to ND4J's own ops.
 *
 * <pre>{@code
 * if (NativeMemory.AVAILABLE && NativeMemory.isDense(x)) {
 *     long at = NativeMemory.address(x);            // address of x's first element
 *     float v = NativeMemory.UNSAFE.getFloat(at);   // x[0, ..., 0]
 * }
 * }</pre>
 */
final class NativeMemory {
    /** The accessor, or {@code null} when unavailable. */
    static final Unsafe UNSAFE = find();
    /** Whether the direct kernels can run at all. */
    static final boolean AVAILABLE = UNSAFE != null && !Boolean.getBoolean("jacflux.noDirectKernels");

    private NativeMemory() {
    }

    private static Unsafe find() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The address of the array's first element. */
    static long address(INDArray a) {
        return a.data().address() + a.offset() * a.dataType().width();
    }

    /** Whether the kernels may read or write {@code a}: FLOAT or DOUBLE, row-major without gaps. */
    static boolean isDense(INDArray a) {
        DataType dt = a.dataType();
        if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
            return false;
        }
        return Shapes.isRowMajor(a.shape(), a.stride());
    }

    /** Zeroes {@code count} elements of {@code width} bytes from {@code address}. */
    static void zero(long address, long count, int width) {
        UNSAFE.setMemory(address, count * width, (byte) 0);
    }
}
