module github.com/isthmus-dev/isthmus/go

go 1.24
