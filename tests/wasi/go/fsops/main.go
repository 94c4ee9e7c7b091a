// Command fsops exercises the os package's file operations in its working directory and
// prints what each gives, with errors reduced to their errno names so that the output is
// the same on wasip1 and natively.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

var errnos = []struct {
	err  syscall.Errno
	name string
}{
	{syscall.ENOENT, "ENOENT"}, {syscall.EEXIST, "EEXIST"}, {syscall.ENOTDIR, "ENOTDIR"},
	{syscall.EISDIR, "EISDIR"}, {syscall.ENOTEMPTY, "ENOTEMPTY"}, {syscall.EBADF, "EBADF"},
	{syscall.EINVAL, "EINVAL"}, {syscall.ELOOP, "ELOOP"}, {syscall.EPERM, "EPERM"},
	{syscall.EACCES, "EACCES"}, {syscall.ENOSYS, "ENOSYS"}, {syscall.ENOTSUP, "ENOTSUP"},
	{syscall.EXDEV, "EXDEV"}, {syscall.ENAMETOOLONG, "ENAMETOOLONG"},
}

// name reduces an error to something comparable across platforms.
func name(err error) string {
	if err == nil {
		return "ok"
	}
	if errors.Is(err, os.ErrClosed) {
		return "ErrClosed"
	}
	if errors.Is(err, io.EOF) {
		return "EOF"
	}
	for _, e := range errnos {
		if errors.Is(err, e.err) {
			return e.name
		}
	}
	return "other error: " + err.Error()
}

func show(what string, err error) { fmt.Printf("%s: %s\n", what, name(err)) }

func stat(what, path string) {
	info, err := os.Stat(path)
	if err != nil {
		fmt.Printf("%s: %s\n", what, name(err))
		return
	}
	size := info.Size()
	if info.IsDir() {
		size = 0
	}
	fmt.Printf("%s: name=%s dir=%v regular=%v size=%d\n", what, info.Name(), info.IsDir(), info.Mode().IsRegular(), size)
}

func read(what, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Printf("%s: %s\n", what, name(err))
		return
	}
	fmt.Printf("%s: %q\n", what, data)
}

func main() {
	// Writing, reading, seeking.
	f, err := os.Create("data.txt")
	show("create data.txt", err)
	n, err := f.WriteString("0123456789")
	fmt.Println("write:", n, name(err))
	pos, err := f.Seek(3, io.SeekStart)
	fmt.Println("seek 3:", pos, name(err))
	buf := make([]byte, 4)
	n, err = f.Read(buf)
	fmt.Printf("read: %d %q %s\n", n, buf[:n], name(err))
	pos, _ = f.Seek(0, io.SeekCurrent)
	fmt.Println("offset:", pos)
	n, err = f.WriteAt([]byte("AB"), 8)
	fmt.Println("write at 8:", n, name(err))
	n, err = f.ReadAt(buf, 7)
	fmt.Printf("read at 7: %d %q %s\n", n, buf[:n], name(err))
	pos, _ = f.Seek(-2, io.SeekEnd)
	fmt.Println("seek end-2:", pos)
	show("truncate 5", f.Truncate(5))
	show("sync", f.Sync())
	stat("after truncate", "data.txt")
	show("close", f.Close())
	show("close again", f.Close())
	_, err = f.Write([]byte("x"))
	show("write after close", err)
	show("os.Truncate 2", os.Truncate("data.txt", 2))
	read("data.txt", "data.txt")

	f, err = os.OpenFile("data.txt", os.O_WRONLY|os.O_APPEND, 0)
	show("open append", err)
	f.Seek(0, io.SeekStart)
	f.WriteString("++")
	f.Close()
	read("after append", "data.txt")
	f, _ = os.OpenFile("data.txt", os.O_RDWR|os.O_TRUNC, 0)
	f.WriteString("fresh")
	f.Close()
	read("after O_TRUNC", "data.txt")

	// Times.
	mtime := time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC)
	atime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	show("chtimes", os.Chtimes("data.txt", atime, mtime))
	info, _ := os.Stat("data.txt")
	fmt.Println("mtime:", info.ModTime().UTC().Format(time.RFC3339Nano))
	show("chtimes keeping atime", os.Chtimes("data.txt", time.Time{}, mtime.Add(time.Hour)))
	info, _ = os.Stat("data.txt")
	fmt.Println("mtime:", info.ModTime().UTC().Format(time.RFC3339Nano))

	// Names: rename, link, symlink.
	show("rename", os.Rename("data.txt", "moved.txt"))
	stat("old name", "data.txt")
	stat("new name", "moved.txt")
	show("link", os.Link("moved.txt", "hard.txt"))
	show("link again", os.Link("moved.txt", "hard.txt"))
	a, _ := os.Stat("moved.txt")
	b, _ := os.Stat("hard.txt")
	fmt.Println("same file:", os.SameFile(a, b))
	show("symlink", os.Symlink("moved.txt", "soft.txt"))
	target, err := os.Readlink("soft.txt")
	fmt.Printf("readlink: %q %s\n", target, name(err))
	_, err = os.Readlink("moved.txt")
	show("readlink a file", err)
	li, err := os.Lstat("soft.txt")
	fmt.Println("lstat symlink:", li.Mode()&fs.ModeSymlink != 0, name(err))
	read("through the symlink", "soft.txt")
	show("symlink dangling", os.Symlink("nowhere", "dangling"))
	stat("stat dangling", "dangling")
	_, err = os.Lstat("dangling")
	show("lstat dangling", err)

	// Directories.
	show("mkdir d", os.Mkdir("d", 0o755))
	show("mkdir d again", os.Mkdir("d", 0o755))
	show("mkdirall d/e/f", os.MkdirAll("d/e/f", 0o755))
	show("mkdirall over a file", os.MkdirAll("moved.txt/x", 0o755))
	os.WriteFile("d/e/file", []byte("in e"), 0o644)
	show("remove non-empty d/e", os.Remove("d/e"))
	show("remove missing", os.Remove("missing"))
	show("remove d/e/f", os.Remove("d/e/f"))
	show("rename dir", os.Rename("d/e", "e2"))
	read("e2/file", "e2/file")
	show("removeall e2", os.RemoveAll("e2"))
	stat("e2 after removeall", "e2")

	// Errors.
	_, err = os.Open("missing.txt")
	show("open missing", err)
	_, err = os.Open("moved.txt/inner")
	show("open through a file", err)
	_, err = os.OpenFile("d", os.O_WRONLY, 0)
	show("open a dir for writing", err)
	_, err = os.OpenFile("moved.txt", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	show("create exclusive existing", err)
	_, err = os.ReadDir("moved.txt")
	show("readdir a file", err)
	_, err = os.ReadFile("d")
	fmt.Println("readfile a dir fails:", err != nil)
	_, err = os.Stat("../escape")
	fmt.Println("stat ../escape fails:", err != nil)

	// Many entries: listing in one go and in chunks gives the same names.
	check(os.Mkdir("many", 0o755))
	for i := 0; i < 500; i++ {
		check(os.WriteFile(filepath.Join("many", fmt.Sprintf("entry-%04d-%s", i, strings.Repeat("z", i%50))), nil, 0o644))
	}
	all, err := os.ReadDir("many")
	fmt.Println("readdir many:", len(all), name(err), all[0].Name(), all[len(all)-1].Name())
	dir, err := os.Open("many")
	check(err)
	var chunked []string
	for {
		part, err := dir.ReadDir(7)
		for _, e := range part {
			chunked = append(chunked, e.Name())
		}
		if err == io.EOF {
			break
		}
		check(err)
	}
	dir.Close()
	sort.Strings(chunked)
	same := len(chunked) == len(all)
	for i := 0; same && i < len(all); i++ {
		same = chunked[i] == all[i].Name()
	}
	fmt.Println("chunked listing matches:", same, len(chunked))
	dir, _ = os.Open("many")
	names, err := dir.Readdirnames(-1)
	dir.Close()
	fmt.Println("readdirnames:", len(names), name(err))

	// A temporary file in the working directory.
	tmp, err := os.CreateTemp(".", "tmp-*.txt")
	show("createtemp", err)
	fmt.Println("temp name pattern ok:", strings.HasPrefix(filepath.Base(tmp.Name()), "tmp-"))
	tmp.Close()
	show("remove temp", os.Remove(tmp.Name()))

	// An os.Root: creating, truncating and reading files through a directory handle.
	root, err := os.OpenRoot("d")
	show("openroot d", err)
	rf, err := root.Create("rooted.txt")
	show("root create", err)
	if rf != nil {
		rf.WriteString("in the root")
		rf.Close()
	}
	rf, err = root.OpenFile("rooted.txt", os.O_WRONLY|os.O_TRUNC, 0)
	show("root open O_TRUNC", err)
	if rf != nil {
		rf.WriteString("again")
		rf.Close()
	}
	read("d/rooted.txt", "d/rooted.txt")
	_, err = root.Open("../moved.txt")
	fmt.Println("root escape fails:", err != nil)
	root.Close()

	// What is left.
	var left []string
	filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if path != "." && !strings.HasPrefix(path, "many") {
			left = append(left, path)
		}
		return nil
	})
	fmt.Println("left:", left)
}

func check(err error) {
	if err != nil {
		fmt.Println("unexpected error:", err)
		os.Exit(100)
	}
}
