package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.io.Npz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The streaming .npy writer and the reader's checks. */
class NpyFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesWhatNumpyWritesForSmallArrays() throws IOException {
        INDArray a = Fixtures.normal(1, 2, 3, 4);
        Path p = dir.resolve("a.npy");
        NpyFiles.write(p, a, DataType.DOUBLE);
        assertArrayEquals(Npz.toNpy(a), Files.readAllBytes(p), "same bytes as the model module's writer");
        NpyFiles.write(p, a, DataType.FLOAT);
        assertArrayEquals(Npz.toNpy(a.castTo(DataType.FLOAT)), Files.readAllBytes(p));
    }

    @Test
    void headerIsAlignedAndShapesOfAnyRankAreWritten() throws IOException {
        for (long[] shape : new long[][] {{5}, {1, 1}, {2, 1, 3, 1, 2}}) {
            Path p = dir.resolve("s.npy");
            NpyFiles.write(p, Nd4j.ones(DataType.FLOAT, shape), DataType.FLOAT);
            byte[] bytes = Files.readAllBytes(p);
            int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
            assertEquals(0, (10 + headerLen) % 64);
            String header = new String(bytes, 10, headerLen, StandardCharsets.ISO_8859_1);
            assertTrue(header.endsWith("\n"));
            assertArrayEquals(shape, Npz.readNpy(p).shape(), header);
        }
        assertTrue(new String(dev.jacflux.model.io.NpyHeader.of("<f4", new long[] {5}).bytes(), StandardCharsets.ISO_8859_1).contains("'shape': (5,)"));
    }

    @Test
    void largeArraysAreStreamedInBlocksAndViewsAreWrittenInCOrder() {
        INDArray big = Nd4j.arange(0, 700_000).castTo(DataType.DOUBLE).reshape('c', 700, 1000);
        Path p = dir.resolve("big.npy");
        NpyFiles.write(p, big, DataType.FLOAT);
        INDArray back = Npz.readNpy(p);
        assertEquals(0.0, back.castTo(DataType.DOUBLE).sub(big).amaxNumber().doubleValue(), 0.05);
        INDArray view = big.get(NDArrayIndex.interval(3, 5), NDArrayIndex.interval(10, 13)).transpose();   // [3, 2] non-contiguous
        NpyFiles.write(p, view, DataType.DOUBLE);
        assertEquals(0.0, Npz.readNpy(p).sub(view).amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void readingChecksTheFile() throws IOException {
        Files.write(dir.resolve("i.npy"), Npz.toNpy(Nd4j.createFromArray(new int[] {1, 2})));
        BadInputException e = assertThrows(BadInputException.class, () -> NpyFiles.readFloat(dir.resolve("i.npy"), "--input"));
        assertTrue(e.getMessage().endsWith("i.npy (--input): wrong dtype int32; expected float32 or float64"), e.getMessage());
        Files.write(dir.resolve("trunc.npy"), java.util.Arrays.copyOf(Npz.toNpy(Nd4j.ones(DataType.DOUBLE, 10)), 128 + 40));
        BadInputException t = assertThrows(BadInputException.class, () -> NpyFiles.read(dir.resolve("trunc.npy"), "--input"));
        assertTrue(t.getMessage().contains("trunc.npy (--input): truncated data"), t.getMessage());
        assertEquals("1.5 KiB", NpyFiles.humanBytes(1536));
        assertEquals("[2, 3] float32 (24 B)", NpyFiles.describe(new long[] {2, 3}, DataType.FLOAT));
    }
}
