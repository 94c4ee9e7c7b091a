module example.com/isthmustest/abitypes

go 1.24

require github.com/isthmus-dev/isthmus/go v0.0.0

replace github.com/isthmus-dev/isthmus/go => ../../../../go
