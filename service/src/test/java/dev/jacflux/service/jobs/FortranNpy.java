package dev.jacflux.service.jobs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A float32 {@code .npy} in Fortran order, as NumPy writes an F-contiguous array. */
final class FortranNpy {
    private FortranNpy() {
    }

    static byte[] of(INDArray a) {
        long[] s = a.shape();
        StringBuilder t = new StringBuilder("(");
        for (int i = 0; i < s.length; i++) {
            t.append(s[i]).append(i < s.length - 1 ? ", " : s.length == 1 ? "," : "");
        }
        t.append(')');
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': True, 'shape': " + t + ", }");
        int total = 10 + dict.length() + 1;
        dict.append(" ".repeat((64 - total % 64) % 64)).append('\n');
        float[] data = a.dup('f').data().asFloat();
        ByteBuffer bb = ByteBuffer.allocate(10 + dict.length() + data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) dict.length());
        bb.put(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
        bb.asFloatBuffer().put(data);
        return bb.array();
    }
}
