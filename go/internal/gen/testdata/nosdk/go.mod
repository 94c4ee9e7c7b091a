module example.com/nosdk

go 1.21
