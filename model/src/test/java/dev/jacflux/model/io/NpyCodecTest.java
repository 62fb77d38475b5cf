package dev.jacflux.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code .npy} data to arrays and back, against an element-by-element reference: every float
 * dtype, byte order and memory order is decoded to the values the bytes hold, and every array
 * (views, transposes, Fortran order, scalars, empty, integers) is written as its elements in C
 * order, little endian.
 */
class NpyCodecTest {

    static Stream<Arguments> layouts() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String kind : new String[] {"f4", "f8"}) {
            for (String order : new String[] {"<", ">"}) {
                for (boolean fortran : new boolean[] {false, true}) {
                    for (long[] shape : new long[][] {{5}, {2, 3}, {3, 1, 4}, {1, 1}, {2, 3, 2, 2}}) {
                        b.add(Arguments.of(order + kind, fortran, shape));
                    }
                }
            }
        }
        return b.build();
    }

    /** The C-order index of each position, for a Fortran-order position {@code f}. */
    private static long cIndexOfFortran(long f, long[] shape) {
        long c = 0;
        long rest = f;
        long[] idx = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        for (int d = 0; d < shape.length; d++) {
            c = c * shape[d] + idx[d];
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void everyFloatLayoutDecodesToTheValuesItHolds(String descr, boolean fortran, long[] shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        Random r = new Random(n * 31L + descr.hashCode() + (fortran ? 7 : 0));
        double[] values = new double[n];   // in C order
        for (int i = 0; i < n; i++) {
            values[i] = descr.endsWith("f4") ? (float) r.nextGaussian() : r.nextGaussian();
        }
        int width = descr.endsWith("f4") ? 4 : 8;
        ByteBuffer data = ByteBuffer.allocate(n * width).order(descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p < n; p++) {
            double v = values[(int) (fortran ? cIndexOfFortran(p, shape) : p)];
            if (width == 4) {
                data.putFloat((float) v);
            } else {
                data.putDouble(v);
            }
        }
        StringBuilder tuple = new StringBuilder("(");
        for (long d : shape) {
            tuple.append(d).append(", ");
        }
        byte[] npy = NpyFixtures.npy(descr, fortran, tuple.append(')').toString(), data.array());
        INDArray a = Npz.fromNpy(npy, "x");
        assertArrayEquals(shape, a.shape());
        assertEquals(width == 4 ? DataType.FLOAT : DataType.DOUBLE, a.dataType());
        assertEquals('c', a.ordering());
        double[] got = a.dup('c').reshape(n).toDoubleVector();
        for (int i = 0; i < n; i++) {
            assertEquals(values[i], got[i], 0.0, descr + " fortran=" + fortran + " at " + i);
        }
    }

    /** The bytes NumPy writes for {@code a}: the header, then every element in C order, little endian. */
    private static byte[] reference(INDArray a) {
        byte[] head = NpyHeader.of(a.dataType(), a.shape()).bytes();
        long n = a.length();
        ByteBuffer b = ByteBuffer.allocate((int) (head.length + n * a.dataType().width())).order(ByteOrder.LITTLE_ENDIAN).put(head);
        long[] shape = a.shape();
        long[] idx = new long[shape.length];
        for (long i = 0; i < n; i++) {
            long rest = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rest % shape[d];
                rest /= shape[d];
            }
            switch (a.dataType()) {
                case FLOAT -> b.putFloat(a.getFloat(idx));
                case DOUBLE -> b.putDouble(a.getDouble(idx));
                case LONG -> b.putLong(a.getLong(idx));
                default -> b.putInt(a.getInt(toInt(idx)));
            }
        }
        return b.array();
    }

    private static int[] toInt(long[] v) {
        int[] o = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = (int) v[i];
        }
        return o;
    }

    @Test
    void everyArrayIsWrittenAsItsElementsInCOrder() {
        INDArray m = Nd4j.rand(DataType.DOUBLE, 4, 6);
        INDArray cube = Nd4j.rand(DataType.FLOAT, 3, 4, 5);
        INDArray[] arrays = {
            m,
            m.transpose(),
            cube.permute(2, 0, 1),
            cube.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.interval(1, 4)),
            m.get(NDArrayIndex.point(2), NDArrayIndex.all()),
            m.dup('f'),
            cube.dup('f').permute(1, 0, 2),
            Nd4j.scalar(2.5f),
            Nd4j.create(DataType.FLOAT, 0, 3),
            Nd4j.createFromArray(new long[][] {{1, -2, 3}, {4, 5, 1L << 40}}).transpose(),
            Nd4j.createFromArray(new int[] {7, -8, 9}),
        };
        for (INDArray a : arrays) {
            byte[] npy = Npz.toNpy(a);
            assertArrayEquals(reference(a), npy, a.shapeInfoToString());
            INDArray back = Npz.fromNpy(npy, "back");
            assertArrayEquals(a.shape(), back.shape());
            assertEquals(a.dataType(), back.dataType());
            if (a.length() > 0) {
                assertArrayEquals(reference(a), Npz.toNpy(back), "round trip of " + a.shapeInfoToString());
            }
        }
    }
}
