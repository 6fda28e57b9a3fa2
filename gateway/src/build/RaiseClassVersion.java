import java.io.IOException;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A build step (JDK 24+, the class-file API): rewrites, inside a jar, the class files under a
 * package prefix that are older than Java 6 (version 50) as Java 8 class files (version 52), with
 * the stack map frames the newer format needs, computed from the jar's own classes. Nothing else
 * changes: same members, code, annotations, debug information; the other entries are copied as
 * they are, in the same order.
 *
 * <p>Why: the AOT cache of JDK 25 (JEP 483) does not hold classes older than version 50, so a
 * library compiled for Java 5 (picocli 4.7) is read, parsed and verified from the jar at every
 * start; as version 52 its classes are cached, linked, with the rest.
 *
 * <p>Usage: {@code java RaiseClassVersion.java JAR PREFIX...} (the jar is replaced through a
 * temporary file beside it).
 */
public final class RaiseClassVersion {

    private static final int TARGET = ClassFile.JAVA_8_VERSION;

    private RaiseClassVersion() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java RaiseClassVersion.java JAR PREFIX...");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path tmp = jar.resolveSibling(jar.getFileName() + ".raise.tmp");
        int raised = 0;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
             ZipFile in = new ZipFile(jar.toFile());
             OutputStream file = Files.newOutputStream(tmp);
             ZipOutputStream out = new ZipOutputStream(file)) {
            // Frames need the common superclass of two types: the JDK's own classes, then the jar's.
            ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                    .orElse(ClassHierarchyResolver.ofResourceParsing(loader)).cached()),
                    ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
            for (ZipEntry entry : Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(entry).readAllBytes();
                if (entry.getName().endsWith(".class") && matches(entry.getName(), args)) {
                    ClassModel model = cf.parse(bytes);
                    if (model.majorVersion() < ClassFile.JAVA_6_VERSION) {
                        bytes = cf.transformClass(model, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                                .andThen((b, e) -> {
                                    if (e instanceof ClassFileVersion) {
                                        b.withVersion(TARGET, 0);
                                    } else {
                                        b.with(e);
                                    }
                                }));
                        raised++;
                    }
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("RaiseClassVersion: " + raised + " classes of " + String.join(", ", java.util.Arrays.asList(args)
                .subList(1, args.length)) + " in " + jar.getFileName() + " raised to version " + TARGET);
    }

    private static boolean matches(String name, String[] args) {
        for (int i = 1; i < args.length; i++) {
            if (name.startsWith(args[i])) {
                return true;
            }
        }
        return false;
    }
}
