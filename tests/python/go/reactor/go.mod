module example.com/isthmustest/reactor

go 1.24
