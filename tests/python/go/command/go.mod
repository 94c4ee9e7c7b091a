module example.com/isthmustest/command

go 1.24
